namespace Challenge.Cli.Client;

// The server's JSON, read with web defaults (camelCase names). Only what the commands print.

internal sealed record SubmissionAccepted(long Id, string Status, string StatusUrl);

internal sealed record ValidationErrorInfo(int? Line, int? Column, string Message);

internal sealed record SubmissionInfo(
    long Id,
    string Task,
    string FileName,
    string Description,
    string Status,
    DateTime SubmittedAt,
    double? PublicScore,
    double? PrivateScore,
    int ErrorCount,
    IReadOnlyList<ValidationErrorInfo>? Errors,
    string? FailureMessage,
    bool Selected)
{
    public bool IsFinished => Status is not ("queued" or "scoring");
}

internal sealed record LeaderboardEntryInfo(int? Rank, string Team, IReadOnlyList<string>? Members, double? Score, int Entries, DateTime LastSubmission, bool IsBaseline, int? PublicRank);

internal sealed record LeaderboardInfo(string Challenge, string Task, string Metric, bool HigherIsBetter, string Kind, DateTime ComputedAt, IReadOnlyList<LeaderboardEntryInfo> Entries);

internal sealed record DataFileInfo(string FileName, long Length, string Sha256, string Description, string Url);

internal sealed record ProblemInfo(string? Title, string? Detail, int? Status);

internal sealed record TaskInfo(string Slug, string Title, string Kind, string Metric, bool HigherIsBetter);

internal sealed record ChallengeInfo(string Slug, string Title, string Subtitle, DateTime StartsAt, DateTime EndsAt, string Phase, bool PrivateRevealed, IReadOnlyList<TaskInfo> Tasks);

internal sealed record BundleErrorInfo(string File, int? Line, string? Key, string Message);

internal sealed record BundleRefusal(string? Title, string? Detail, IReadOnlyList<BundleErrorInfo>? Errors, IReadOnlyList<string>? Notes);

internal sealed record BundleCreated(string Slug, string Format, string Status, IReadOnlyList<string>? Notes);
