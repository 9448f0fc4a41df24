using Challenge.Core.Leaderboards;
using Challenge.Core.Submissions;
using static Challenge.Web.Api.FiniteScores;

namespace Challenge.Web.Api;

public sealed record TaskDto(string Slug, string Title, string Kind, string Metric, bool HigherIsBetter);

public sealed record ChallengeDto(string Slug, string Title, string Subtitle, DateTime StartsAt, DateTime EndsAt, string Phase, bool PrivateRevealed, IReadOnlyList<TaskDto> Tasks);

// The first eight fields are the stable shape outside tools read; the later ones were added after
// and are null where they do not apply (rank intervals while they are computed, or where the task
// shows no bootstrap intervals).
public sealed record LeaderboardEntryDto(int? Rank, string Team, IReadOnlyList<string> Members, double? Score, int Entries, DateTime LastSubmission, bool IsBaseline, int? PublicRank,
    int? RankLower = null, int? RankUpper = null, double? ProbabilityFirst = null, int? RankGroup = null,
    IReadOnlyList<BaselineComparisonDto>? VersusBaselines = null,
    string? SubmissionSha256 = null, string? ScorerVersion = null, int? SolutionVersion = null);

/// <summary>A team against a baseline row on the same resampled rows: the difference of scores and whether it is clearly better.</summary>
public sealed record BaselineComparisonDto(string Baseline, double Difference, double Lower, double Upper, double PValue, bool BeatsClearly);

/// <summary>How the rank intervals of a board were made: "ready", "computing" or "off".</summary>
public sealed record RankIntervalsDto(string Status, int Resamples, double Confidence, string Method);

public sealed record LeaderboardDto(string Challenge, string Task, string Metric, bool HigherIsBetter, string Kind, DateTime ComputedAt, IReadOnlyList<LeaderboardEntryDto> Entries,
    RankIntervalsDto? RankIntervals = null)
{
    public static LeaderboardDto From(string challenge, Leaderboard board, BoardIntervals? intervals = null, bool intervalsOn = false) => new(
        challenge, board.TaskSlug, board.Metric, board.HigherIsBetter, board.Kind.ToString().ToLowerInvariant(), board.ComputedAtUtc,
        board.Rows.Select(r => Entry(r, intervals?.ByTeam.GetValueOrDefault(r.TeamId))).ToList(),
        !intervalsOn ? new RankIntervalsDto("off", 0, 0, "")
        : intervals is null ? new RankIntervalsDto("computing", 0, 0, "")
        : new RankIntervalsDto(intervals.ByTeam.Count == 0 ? "off" : "ready", intervals.Resamples, intervals.Confidence,
            intervals.Recomputed ? "paired Poisson bootstrap, metric recomputed per resample" : "paired Poisson bootstrap, weighted per-row values"));

    private static LeaderboardEntryDto Entry(LeaderboardRow r, TeamRankInterval? interval) => new(
        r.Rank, r.Team, r.Members, Finite(r.Score), r.Entries, r.LastSubmissionUtc, r.IsBaseline, r.PublicRank,
        interval?.Lower, interval?.Upper, interval?.ProbabilityFirst, interval?.Group,
        interval?.VersusBaselines.Select(v => new BaselineComparisonDto(v.Baseline, v.Difference, v.Lower, v.Upper, v.PValue, v.BeatsClearly)).ToList(),
        r.Sha256, r.ScorerVersion, r.SolutionVersion);
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
