using System.Security.Claims;
using Challenge.Core.Challenges;
using Challenge.Core.Outcomes;
using Challenge.Scoring.Significance;

namespace Challenge.Core.Leaderboards;

/// <summary>
/// How much the final ranking of one task means: where each team stood on the public board and
/// where it landed on the private one, how well the two rankings agree, and how sure the private
/// ranking is under resampling of its rows.
/// </summary>
/// <param name="KendallTau">Kendall's τ-b between the public and the private ranks of the teams ranked on both; null with fewer than two such teams.</param>
/// <param name="ProbabilityWinnerIsBest">The private winner's share of paired resamples in which it ranks first; null while the intervals are unavailable.</param>
/// <param name="Resamples">Resamples behind the rank intervals (0 when the task shows none).</param>
public sealed record StabilityReport(
    int TaskId,
    string TaskSlug,
    string TaskTitle,
    string Metric,
    bool HigherIsBetter,
    double? KendallTau,
    double? ProbabilityWinnerIsBest,
    int Resamples,
    IReadOnlyList<StabilityRow> Teams,
    DateTime ComputedAtUtc);

/// <param name="Move">Places climbed from the public to the private board (negative: fell).</param>
public sealed record StabilityRow(
    int TeamId,
    string Team,
    int? PublicRank,
    int? PrivateRank,
    int? Move,
    double? PublicScore,
    double? PrivateScore,
    int? RankLower,
    int? RankUpper,
    double? ProbabilityFirst,
    int? Group);

/// <summary>The stability report of a task, for everyone once the private board is revealed (organizers earlier).</summary>
public sealed class StabilityReports(LeaderboardService leaderboards, RankIntervalService intervals, TimeProvider clock)
{
    public async Task<Outcome<StabilityReport>> GetForAsync(Competition challenge, int taskId, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        // The private board's rule guards every private score below.
        var board = await leaderboards.GetForAsync(challenge, taskId, LeaderboardKind.Private, user, cancellationToken);
        if (board.Value is not { } privateBoard)
        {
            return Outcome<StabilityReport>.Forbidden("The stability report is published when the private leaderboard is revealed.");
        }
        var publicBoard = await leaderboards.GetAsync(taskId, LeaderboardKind.Public, cancellationToken);
        var ranks = await intervals.ComputeNowAsync(taskId, LeaderboardKind.Private, cancellationToken);
        if (ranks is not null && ranks.Fingerprint != RankIntervalService.Fingerprint(privateBoard))
        {
            ranks = null;
        }
        var publicScores = publicBoard.Rows.ToDictionary(r => r.TeamId, r => r.Score);
        var rows = privateBoard.Rows.Where(r => !r.IsBaseline).Select(r =>
        {
            var interval = ranks?.ByTeam.GetValueOrDefault(r.TeamId);
            return new StabilityRow(r.TeamId, r.Team, r.PublicRank, r.Score is null ? null : r.Rank, r.Score is null ? null : r.RankChange,
                publicScores.GetValueOrDefault(r.TeamId), r.Score, interval?.Lower, interval?.Upper, interval?.ProbabilityFirst, interval?.Group);
        }).ToList();
        var both = rows.Where(r => r.PublicRank is not null && r.PrivateRank is not null).ToList();
        double? tau = both.Count < 2 ? null : RankCorrelation.KendallTauB(both.Select(r => (double)r.PublicRank!.Value).ToList(), both.Select(r => (double)r.PrivateRank!.Value).ToList());
        var winner = rows.FirstOrDefault(r => r.PrivateRank == 1);
        return new StabilityReport(privateBoard.TaskId, privateBoard.TaskSlug, privateBoard.TaskTitle, privateBoard.Metric, privateBoard.HigherIsBetter,
            tau is { } t && double.IsFinite(t) ? t : null, winner?.ProbabilityFirst, ranks?.Resamples ?? 0, rows, clock.GetUtcNow().UtcDateTime);
    }
}
