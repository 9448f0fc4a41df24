namespace Challenge.Core.Leaderboards;

public enum LeaderboardKind
{
    Public,
    Private,
}

public sealed record Leaderboard(
    int CompetitionId,
    int TaskId,
    string TaskSlug,
    string TaskTitle,
    string Metric,
    bool HigherIsBetter,
    LeaderboardKind Kind,
    IReadOnlyList<LeaderboardRow> Rows,
    DateTime ComputedAtUtc);

// Rank is null for baseline rows, which are shown for reference but never ranked. DiffersFromNext
// is set where the task shows bootstrap intervals: true when this row's 95% interval lies wholly
// beyond the next ranked row's, so the two ranks are clearly different. The last four say which
// submission the row shows and what scored it (file hash, scorer build, solution version), so a
// score on the board can be traced and checked again.
public sealed record LeaderboardRow(
    int? Rank,
    int TeamId,
    string Team,
    IReadOnlyList<string> Members,
    double? Score,
    double? Lower,
    double? Upper,
    int Entries,
    DateTime LastSubmissionUtc,
    DateTime? BestAtUtc,
    bool IsBaseline,
    int? PublicRank,
    bool? DiffersFromNext = null,
    long? SubmissionId = null,
    string? Sha256 = null,
    string? ScorerVersion = null,
    int? SolutionVersion = null)
{
    // The shake-up: positive when the team climbed between the public and the private board.
    public int? RankChange => Rank is { } rank && PublicRank is { } before ? before - rank : null;
}

public sealed record ProgressionSeries(string Team, IReadOnlyList<ProgressionPoint> Points);

public sealed record ProgressionPoint(DateTime AtUtc, double BestScore);

public sealed record DailyCount(DateTime Day, int Submissions);
