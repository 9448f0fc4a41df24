using Challenge.Core.Leaderboards;
using Challenge.Core.Submissions;
using static Challenge.Web.Api.FiniteScores;

namespace Challenge.Web.Api;

public sealed record TaskDto(string Slug, string Title, string Kind, string Metric, bool HigherIsBetter);

public sealed record ChallengeDto(string Slug, string Title, string Subtitle, DateTime StartsAt, DateTime EndsAt, string Phase, bool PrivateRevealed, IReadOnlyList<TaskDto> Tasks);

public sealed record LeaderboardEntryDto(int? Rank, string Team, IReadOnlyList<string> Members, double? Score, int Entries, DateTime LastSubmission, bool IsBaseline, int? PublicRank);

public sealed record LeaderboardDto(string Challenge, string Task, string Metric, bool HigherIsBetter, string Kind, DateTime ComputedAt, IReadOnlyList<LeaderboardEntryDto> Entries)
{
    public static LeaderboardDto From(string challenge, Leaderboard board) => new(
        challenge, board.TaskSlug, board.Metric, board.HigherIsBetter, board.Kind.ToString().ToLowerInvariant(), board.ComputedAtUtc,
        board.Rows.Select(r => new LeaderboardEntryDto(r.Rank, r.Team, r.Members, Finite(r.Score), r.Entries, r.LastSubmissionUtc, r.IsBaseline, r.PublicRank)).ToList());
}

public sealed record SubmissionDto(
    long Id,
    string Task,
    string FileName,
    string Description,
    string Status,
    DateTime SubmittedAt,
    double? PublicScore,
    double? PrivateScore,
    int ErrorCount,
    IReadOnlyList<Challenge.Scoring.Validation.ValidationError> Errors,
    string? FailureMessage,
    bool Selected)
{
    public static SubmissionDto From(Submission submission, string taskSlug, bool privateVisible) => new(
        submission.Id, taskSlug, submission.FileName, submission.Description, submission.Status.ToString().ToLowerInvariant(), submission.CreatedAtUtc,
        Finite(submission.PublicScore), privateVisible ? Finite(submission.PrivateScore) : null, submission.ErrorCount,
        submission.ErrorsJson is null ? [] : System.Text.Json.JsonSerializer.Deserialize<List<Challenge.Scoring.Validation.ValidationError>>(submission.ErrorsJson, SubmissionScorer.Json) ?? [],
        submission.FailureMessage, submission.IsSelected);
}

// JSON has no infinity or NaN. The scorer refuses such scores, but a row stored before it did must
// not turn every later read into a 500: it reads as no score.
internal static class FiniteScores
{
    public static double? Finite(double? score) => score is { } value && double.IsFinite(value) ? value : null;
}

public sealed record SubmissionAcceptedDto(long Id, string Status, string StatusUrl);

public sealed record DataFileDto(string FileName, long Length, string Sha256, string Description, string Url);
