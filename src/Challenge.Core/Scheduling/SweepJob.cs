using Challenge.Core.Data;
using Challenge.Core.Leaderboards;
using Challenge.Core.Submissions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Quartz;

namespace Challenge.Core.Scheduling;

// The safety net under the queue: submissions left waiting (queueing failed, or a scoring process
// died and its job was lost) are queued again, and challenges past their deadline are revealed.
[DisallowConcurrentExecution]
public sealed class SweepJob(
    IDbContextFactory<ChallengeDbContext> dbFactory,
    ISubmissionQueue queue,
    ILeaderboardNotifier notifier,
    TimeProvider clock,
    ILogger<SweepJob> logger) : IJob
{
    public static readonly JobKey Key = new("sweep", "maintenance");
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan QueuedGrace = TimeSpan.FromMinutes(1);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);

        var queuedBefore = now - QueuedGrace;
        var leaseBefore = now - SubmissionRules.ScoringLease;
        var stuck = await db.Submissions
            .Where(s => (s.Status == SubmissionStatus.Queued && s.CreatedAtUtc < queuedBefore)
                || (s.Status == SubmissionStatus.Scoring && s.ScoringStartedAtUtc < leaseBefore))
            .OrderBy(s => s.Id).Select(s => s.Id).Take(500).ToListAsync(cancellationToken);
        var scheduler = context.Scheduler;
        foreach (var id in stuck)
        {
            if (!await scheduler.Exists(QuartzSubmissionQueue.KeyOf(id), cancellationToken) || await IsStaleScoringAsync(db, id, leaseBefore, cancellationToken))
            {
                logger.LogWarning("Submission {SubmissionId} was waiting without a scoring job; queueing it again", id);
                await queue.EnqueueAsync(id, cancellationToken);
            }
        }

        var due = await db.Competitions.Where(c => c.PrivateRevealedAtUtc == null && c.EndsAtUtc <= now).ToListAsync(cancellationToken);
        await DeadlineJob.RevealAsync(db, due, notifier, now, cancellationToken);
    }

    private static Task<bool> IsStaleScoringAsync(ChallengeDbContext db, long id, DateTime leaseBefore, CancellationToken cancellationToken) =>
        db.Submissions.AnyAsync(s => s.Id == id && s.Status == SubmissionStatus.Scoring && s.ScoringStartedAtUtc < leaseBefore, cancellationToken);
}
