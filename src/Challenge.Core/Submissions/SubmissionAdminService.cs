using Challenge.Core.Access;
using System.Security.Claims;
using Challenge.Core.Audit;
using Challenge.Core.Challenges;
using Challenge.Core.Data;
using Challenge.Core.Leaderboards;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Submissions;

// Organizer operations on results. Each checks the organizer's right, records an audit entry in
// the same unit of work and announces the change to open leaderboards.
public sealed class SubmissionAdminService(
    IDbContextFactory<ChallengeDbContext> dbFactory,
    SqliteWriteGate writes,
    ISubmissionQueue queue,
    ILeaderboardNotifier notifier,
    LeaderboardService leaderboards,
    ParameterFreeLadder ladder,
    TimeProvider clock,
    IAuthorizationService authorization)
{
    // Rescoring puts the submissions back in the queue; the scorer records its version and the
    // solution version it used, so a board always shows which scorer produced each score.
    public async Task<int?> RescoreAsync(int taskId, long? submissionId, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var task = await db.Tasks.AsNoTracking().SingleOrDefaultAsync(t => t.Id == taskId, cancellationToken);
        if (task is null || !await CanManageAsync(db, task.CompetitionId, user, cancellationToken))
        {
            return null;
        }
        var query = db.Submissions.Where(s => s.TaskId == taskId && s.Status != SubmissionStatus.Queued && s.Status != SubmissionStatus.Scoring);
        if (submissionId is not null)
        {
            query = query.Where(s => s.Id == submissionId);
        }
        var before = await query.Select(s => new { s.Id, s.TeamId, s.Status, s.PublicScore, s.PrivateScore, s.ScorerVersion, s.SolutionVersion }).ToListAsync(cancellationToken);
        var ids = before.Select(s => s.Id).ToList();
        var now = clock.GetUtcNow().UtcDateTime;
        // The changelog: what each submission scored before and the team's ranks, so that the
        // scorer can add the new scores and the ranks after (see Rescoring.RescoreChangelog).
        var publicRanks = (await leaderboards.GetAsync(taskId, LeaderboardKind.Public, cancellationToken)).Rows.ToDictionary(r => r.TeamId, r => r.Rank);
        var privateRanks = (await leaderboards.GetAsync(taskId, LeaderboardKind.Private, cancellationToken)).Rows.ToDictionary(r => r.TeamId, r => r.Rank);
        var rescoreId = Guid.NewGuid();
        db.ScoreChanges.AddRange(before.Select(s => new Rescoring.ScoreChange
        {
            RescoreId = rescoreId,
            CompetitionId = task.CompetitionId,
            TaskId = taskId,
            SubmissionId = s.Id,
            TeamId = s.TeamId,
            RequestedById = user.UserId(),
            RequestedAtUtc = now,
            OldStatus = s.Status,
            OldPublicScore = s.PublicScore,
            OldPrivateScore = s.PrivateScore,
            OldScorerVersion = s.ScorerVersion,
            OldSolutionVersion = s.SolutionVersion,
            PublicRankBefore = publicRanks.GetValueOrDefault(s.TeamId),
            PrivateRankBefore = privateRanks.GetValueOrDefault(s.TeamId),
        }));
        db.Audit(task.CompetitionId, user.UserId(), "rescore", submissionId is null ? $"all {ids.Count} submissions of {task.Slug}" : $"submission {submissionId} of {task.Slug}", now);
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            await db.Submissions.Where(s => ids.Contains(s.Id) && s.Status != SubmissionStatus.Queued && s.Status != SubmissionStatus.Scoring).ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Status, SubmissionStatus.Queued)
                .SetProperty(x => x.ScoringAttempts, 0), cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        foreach (var id in ids)
        {
            await queue.EnqueueAsync(id, cancellationToken);
        }
        return ids.Count;
    }

    /// <summary>
    /// Gives one team <paramref name="extra"/> more submissions on one task for today's quota day
    /// only, with a reason that goes to the audit log with the grant. Returns the day's total grant.
    /// </summary>
    public async Task<Outcomes.Outcome<int>> GrantExtraSubmissionsAsync(int teamId, int taskId, int extra, string reason, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var team = await db.Teams.AsNoTracking().SingleOrDefaultAsync(t => t.Id == teamId, cancellationToken);
        var task = await db.Tasks.AsNoTracking().SingleOrDefaultAsync(t => t.Id == taskId, cancellationToken);
        if (team is null || task is null || task.CompetitionId != team.CompetitionId || !await CanManageAsync(db, team.CompetitionId, user, cancellationToken))
        {
            return Outcomes.Outcome<int>.NotFound("This team or task does not exist, or you may not manage its challenge.");
        }
        if (extra is < 1 or > 100)
        {
            return Outcomes.Outcome<int>.Invalid("extra", "Grant between 1 and 100 extra submissions.");
        }
        if (string.IsNullOrWhiteSpace(reason))
        {
            return Outcomes.Outcome<int>.Invalid("reason", "Give the reason for the grant: it is kept in the audit log.");
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var day = SubmissionService.QuotaDayOf(now);
        using var turn = await writes.EnterAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"""INSERT INTO "DailyQuotas" ("TeamId", "TaskId", "Day", "Used", "Granted") VALUES ({teamId}, {taskId}, {day}, 0, 0) ON CONFLICT DO NOTHING""",
            cancellationToken);
        await db.DailyQuotas.Where(q => q.TeamId == teamId && q.TaskId == taskId && q.Day == day)
            .ExecuteUpdateAsync(q => q.SetProperty(x => x.Granted, x => x.Granted + extra), cancellationToken);
        db.Audit(team.CompetitionId, user.UserId(), "quota.granted", $"'{team.Name}': {extra} extra submissions on {task.Slug} for {day}: {reason.Trim()}", now);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return await db.DailyQuotas.Where(q => q.TeamId == teamId && q.TaskId == taskId && q.Day == day).Select(q => q.Granted).SingleAsync(cancellationToken);
    }

    /// <summary>Hides a submission from the leaderboards (or shows it again); the team sees it hidden, with the reason.</summary>
    public async Task<bool> SetHiddenAsync(long submissionId, bool hidden, ClaimsPrincipal user, string? reason = null, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var submission = await db.Submissions.SingleOrDefaultAsync(s => s.Id == submissionId, cancellationToken);
        if (submission is null || !await CanManageAsync(db, submission.CompetitionId, user, cancellationToken))
        {
            return false;
        }
        submission.IsHidden = hidden;
        submission.HiddenReason = hidden && !string.IsNullOrWhiteSpace(reason) ? reason.Trim() : null;
        db.Audit(submission.CompetitionId, user.UserId(), hidden ? "submission.hidden" : "submission.shown",
            $"submission {submissionId}" + (submission.HiddenReason is { } why ? $": {why}" : ""), clock.GetUtcNow().UtcDateTime);
        using (await writes.EnterAsync(cancellationToken))
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            // Under the parameter-free Ladder the team's history changed from here on: its later
            // decisions are taken again without (or with) this submission.
            submission.LadderScore = null;
            submission.LadderMoved = false;
            await ParameterFreeLadder.ForgetFromAsync(db, submission, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        await ladder.DecideAsync(submission.TaskId, submission.TeamId, cancellationToken);
        notifier.Publish(new LeaderboardChange(submission.CompetitionId, submission.TaskId, submission.TeamId));
        return true;
    }

    /// <summary>Takes a disqualification back: the team returns to both boards and may submit again.</summary>
    public async Task<bool> ReinstateAsync(int teamId, string reason, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        var reinstated = await dbFactory.RunSerializableAsync<Teams.Team?>(writes, async (db, cancellationToken) =>
        {
            var team = await db.Teams.SingleOrDefaultAsync(t => t.Id == teamId, cancellationToken);
            if (team is null || team.DisqualifiedAtUtc is null || !await CanManageAsync(db, team.CompetitionId, user, cancellationToken))
            {
                return null;
            }
            var now = clock.GetUtcNow().UtcDateTime;
            db.Audit(team.CompetitionId, user.UserId(), "team.reinstated", $"'{team.Name}' (disqualified for: {team.DisqualificationReason}): {reason.Trim()}", now);
            team.DisqualifiedAtUtc = null;
            team.DisqualificationReason = null;
            await db.SaveChangesAsync(cancellationToken);
            await db.Database.CommitTransactionAsync(cancellationToken);
            return team;
        }, () => null, cancellationToken);
        if (reinstated is null)
        {
            return false;
        }
        await AnnounceTeamAsync(reinstated, cancellationToken);
        return true;
    }

    // Serialised like a merge: a team being disqualified while it merges either merges first (and
    // the merged team is disqualified) or is disqualified first (and the merge is refused), never
    // a disqualified team that took another's submissions, nor a save on a team removed meanwhile.
    public async Task<bool> DisqualifyAsync(int teamId, string reason, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        var disqualified = await dbFactory.RunSerializableAsync<Teams.Team?>(writes, async (db, cancellationToken) =>
        {
            var team = await db.Teams.SingleOrDefaultAsync(t => t.Id == teamId, cancellationToken);
            if (team is null || !await CanManageAsync(db, team.CompetitionId, user, cancellationToken))
            {
                return null;
            }
            var now = clock.GetUtcNow().UtcDateTime;
            team.DisqualifiedAtUtc = now;
            team.DisqualificationReason = reason.Trim();
            db.Audit(team.CompetitionId, user.UserId(), "team.disqualified", $"'{team.Name}': {reason.Trim()}", now);
            await db.SaveChangesAsync(cancellationToken);
            await db.Database.CommitTransactionAsync(cancellationToken);
            return team;
        }, () => null, cancellationToken);
        if (disqualified is null)
        {
            return false;
        }
        await AnnounceTeamAsync(disqualified, cancellationToken);
        return true;
    }

    private async Task AnnounceTeamAsync(Teams.Team team, CancellationToken cancellationToken)
    {
        await using var read = await dbFactory.CreateDbContextAsync(cancellationToken);
        foreach (var taskId in await read.Tasks.Where(t => t.CompetitionId == team.CompetitionId).Select(t => t.Id).ToListAsync(cancellationToken))
        {
            notifier.Publish(new LeaderboardChange(team.CompetitionId, taskId, team.Id));
        }
    }

    private async Task<bool> CanManageAsync(ChallengeDbContext db, int competitionId, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var competition = await db.Competitions.AsNoTracking().SingleAsync(c => c.Id == competitionId, cancellationToken);
        return await authorization.AllowsAsync(user, competition, AccessRules.ManageChallenge);
    }
}
