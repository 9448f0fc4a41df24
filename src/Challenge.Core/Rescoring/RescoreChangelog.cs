using System.Security.Claims;
using Challenge.Core.Access;
using Challenge.Core.Challenges;
using Challenge.Core.Data;
using Challenge.Core.Leaderboards;
using Challenge.Core.Outcomes;
using Challenge.Core.Submissions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Rescoring;

/// <summary>One submission's scores before and after a rescore.</summary>
public sealed record ScoreChangeRow(long SubmissionId, string Team, SubmissionStatus OldStatus, double? OldPublic, double? OldPrivate, string? OldScorerVersion, int OldSolutionVersion,
    SubmissionStatus? NewStatus, double? NewPublic, double? NewPrivate, string? NewScorerVersion, int? NewSolutionVersion, DateTime? RescoredAtUtc)
{
    public bool Changed => NewStatus is not null && (NewStatus != OldStatus || NewPublic != OldPublic || NewPrivate != OldPrivate);
}

/// <summary>A team whose rank differs after a rescore.</summary>
public sealed record TeamMove(string Team, int? PublicBefore, int? PublicAfter, int? PrivateBefore, int? PrivateAfter);

/// <summary>One rescore: when, by whom, which submissions changed score and which teams moved.</summary>
public sealed record RescoreEntry(Guid Id, string TaskSlug, DateTime RequestedAtUtc, string? RequestedBy, bool Complete, DateTime? CompletedAtUtc,
    IReadOnlyList<ScoreChangeRow> Changes, IReadOnlyList<TeamMove> TeamsMoved);

/// <summary>A notice for a team whose submission's score a rescore changed.</summary>
/// <param name="PublicWithheld">The task is under the Ladder and the private board is not revealed: the exact public scores are not told (the board shows the Ladder's).</param>
public sealed record RescoreNotice(long SubmissionId, string TaskSlug, DateTime RescoredAtUtc, double? OldPublic, double? NewPublic, double? OldPrivate, double? NewPrivate,
    bool PublicWithheld = false);

/// <summary>
/// The changelog of rescores. It holds private scores, so it follows the private board's rule:
/// organizers always, everyone after the reveal. Teams see notices of their own changed public
/// scores (private ones after the reveal).
/// </summary>
public sealed class RescoreChangelog(IDbContextFactory<ChallengeDbContext> dbFactory, LeaderboardService leaderboards, IAuthorizationService authorization)
{
    public async Task<Outcome<IReadOnlyList<RescoreEntry>>> ListAsync(Competition challenge, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        if (!await authorization.AllowsAsync(user, challenge, AccessRules.SeePrivateBoard))
        {
            return Outcome<IReadOnlyList<RescoreEntry>>.Forbidden("The rescoring changelog is published when the private leaderboard is revealed.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await (from c in db.ScoreChanges.AsNoTracking()
                          where c.CompetitionId == challenge.Id
                          join t in db.Teams on c.TeamId equals t.Id
                          join task in db.Tasks on c.TaskId equals task.Id
                          join u in db.Users on c.RequestedById equals u.Id into users
                          from u in users.DefaultIfEmpty()
                          select new { Change = c, Team = t.Name, TaskSlug = task.Slug, By = u == null ? c.RequestedById : u.DisplayName })
            .ToListAsync(cancellationToken);
        return rows.GroupBy(r => r.Change.RescoreId)
            .Select(g =>
            {
                var first = g.First();
                // Done once every submission is scored again and the ranks after were read.
                var complete = g.All(r => r.Change.RescoredAtUtc is not null) && g.Any(r => r.Change.PublicRankAfter is not null || r.Change.PrivateRankAfter is not null);
                var moves = g.GroupBy(r => r.Team).Select(t => t.First().Change is var c
                        ? new TeamMove(t.Key, c.PublicRankBefore, c.PublicRankAfter, c.PrivateRankBefore, c.PrivateRankAfter) : null)
                    .Where(m => complete && m is not null && (m.PublicBefore != m.PublicAfter || m.PrivateBefore != m.PrivateAfter))
                    .Select(m => m!).OrderBy(m => m.PrivateAfter ?? int.MaxValue).ToList();
                var changes = g.OrderBy(r => r.Change.SubmissionId).Select(r => r.Change is var c
                    ? new ScoreChangeRow(c.SubmissionId, r.Team, c.OldStatus, c.OldPublicScore, c.OldPrivateScore, c.OldScorerVersion, c.OldSolutionVersion,
                        c.NewStatus, c.NewPublicScore, c.NewPrivateScore, c.NewScorerVersion, c.NewSolutionVersion, c.RescoredAtUtc) : null!).ToList();
                return new RescoreEntry(g.Key, first.TaskSlug, first.Change.RequestedAtUtc, first.By, complete,
                    complete ? g.Max(r => r.Change.RescoredAtUtc) : null, changes, moves);
            })
            .OrderByDescending(e => e.RequestedAtUtc).ToList();
    }

    /// <summary>The team's submissions whose score a rescore changed, newest first; private scores only once revealed.</summary>
    public async Task<IReadOnlyList<RescoreNotice>> NoticesAsync(Competition challenge, int teamId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var changes = await (from c in db.ScoreChanges.AsNoTracking()
                             where c.TeamId == teamId && c.RescoredAtUtc != null
                             join task in db.Tasks on c.TaskId equals task.Id
                             orderby c.RescoredAtUtc descending
                             select new { c.SubmissionId, task.Slug, c.RescoredAtUtc, c.OldPublicScore, c.NewPublicScore, c.OldPrivateScore, c.NewPrivateScore,
                                 Laddered = task.LadderMargin != null || task.LadderParameterFree })
            .ToListAsync(cancellationToken);
        var revealed = challenge.IsPrivateRevealed;
        return changes
            .Where(c => c.OldPublicScore != c.NewPublicScore || (revealed && c.OldPrivateScore != c.NewPrivateScore))
            // Under the Ladder the team's exact public scores would undo what the board withholds.
            .Select(c => c.Laddered && !revealed
                ? new RescoreNotice(c.SubmissionId, c.Slug, c.RescoredAtUtc!.Value, null, null, null, null, PublicWithheld: true)
                : new RescoreNotice(c.SubmissionId, c.Slug, c.RescoredAtUtc!.Value, c.OldPublicScore, c.NewPublicScore,
                    revealed ? c.OldPrivateScore : null, revealed ? c.NewPrivateScore : null))
            .ToList();
    }

    // Called by the scorer after it saved a rescored submission: once every submission of that
    // rescore is done, the teams' ranks after it are read from freshly built boards.
    internal async Task CompleteAsync(long submissionId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rescores = await db.ScoreChanges.Where(c => c.SubmissionId == submissionId && c.PublicRankAfter == null && c.PrivateRankAfter == null)
            .Select(c => new { c.RescoreId, c.TaskId }).Distinct().ToListAsync(cancellationToken);
        foreach (var rescore in rescores)
        {
            if (await db.ScoreChanges.AnyAsync(c => c.RescoreId == rescore.RescoreId && c.RescoredAtUtc == null, cancellationToken))
            {
                continue;
            }
            leaderboards.Invalidate(rescore.TaskId);
            var publicRanks = (await leaderboards.GetAsync(rescore.TaskId, LeaderboardKind.Public, cancellationToken)).Rows.ToDictionary(r => r.TeamId, r => r.Rank);
            var privateRanks = (await leaderboards.GetAsync(rescore.TaskId, LeaderboardKind.Private, cancellationToken)).Rows.ToDictionary(r => r.TeamId, r => r.Rank);
            var rows = await db.ScoreChanges.Where(c => c.RescoreId == rescore.RescoreId).ToListAsync(cancellationToken);
            foreach (var row in rows)
            {
                row.PublicRankAfter = publicRanks.GetValueOrDefault(row.TeamId);
                row.PrivateRankAfter = privateRanks.GetValueOrDefault(row.TeamId);
            }
            await db.SaveChangesAsync(cancellationToken);
        }
    }
}
