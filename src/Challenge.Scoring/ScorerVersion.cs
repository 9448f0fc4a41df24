namespace Challenge.Scoring;

/// <summary>
/// Recorded with every score. Bump it whenever a change could alter any score or verdict, so
/// scores computed by different scorer builds can be told apart and rescored.
/// </summary>
public static class ScorerVersion
{
    public const string Current = "scoring-1.0.0";
}
