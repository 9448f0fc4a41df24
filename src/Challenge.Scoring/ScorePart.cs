namespace Challenge.Scoring;

/// <summary>Which rows of the solution a score is computed on.</summary>
public enum ScorePart
{
    /// <summary>Rows shown on the public leaderboard while the competition runs.</summary>
    Public,

    /// <summary>Rows kept hidden until the end; they decide the final ranking.</summary>
    Private,

    /// <summary>Public and private rows together; ignored rows never count.</summary>
    Overall,
}

/// <summary>Role of one solution row, from its Usage cell or the seeded split.</summary>
internal enum RowUsage : byte
{
    Public = 0,
    Private = 1,
    Ignored = 2,
}
