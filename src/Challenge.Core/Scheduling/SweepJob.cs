using Challenge.Core.Data;
using Challenge.Core.Leaderboards;
using Challenge.Core.Submissions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Quartz;

namespace Challenge.Core.Scheduling;

// The safety net under the in-process scoring queue, and what makes it durable: submissions left
// waiting (the process stopped before its workers reached them, or queueing failed) or claimed by
// a scorer whose lease ran out (its process died) are queued again on the node that runs this
// job; the claim lets exactly one scorer win. Pending decisions of the parameter-free Ladder are
// taken. Challenges past their deadline are revealed, and
// teams and files that nothing refers to any more are removed.
[DisallowConcurrentExecution]
public sealed class SweepJob(
    IDbContextFactory<ChallengeDbContext> dbFactory,
    ISubmissionQueue queue,
    ILeaderboardNotifier notifier,
    OrphanCleanup orphans,
    ParameterFreeLadder ladder,
    TimeProvider clock,
    ILogger<SweepJob> logger) : IJob
{
    public static readonly JobKey Key = new("sweep", "maintenance");
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    // Uploads queue their submission at once; one still waiting after this was most likely lost.
    private static readonly TimeSpan QueuedGrace = TimeSpan.FromSeconds(20);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);

        var queuedBefore = now - QueuedGrace;
        var stuck = await db.Submissions
            .Where(s => (s.Status == SubmissionStatus.Queued && s.CreatedAtUtc < queuedBefore)
                || (s.Status == SubmissionStatus.Scoring && (s.ScoringLeaseUntilUtc == null || s.ScoringLeaseUntilUtc < now)))
            .OrderBy(s => s.Id).Select(s => new { s.Id, s.Status }).Take(500).ToListAsync(cancellationToken);
        foreach (var submission in stuck)
        {
            if (submission.Status == SubmissionStatus.Scoring)
            {
                logger.LogWarning("Submission {SubmissionId}: its scorer's lease ran out; queueing it again", submission.Id);
            }
            await queue.EnqueueAsync(submission.Id, cancellationToken);
        }

        try
        {
            // Ladder decisions a scorer could not take (its process stopped right after saving, or
            // the organizer switched the parameter-free rule on over existing submissions).
            await ladder.DecidePendingAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogWarning(exception, "Taking the pending Ladder decisions failed; the next sweep tries again");
        }

        var due = await db.Competitions.Where(c => c.PrivateRevealedAtUtc == null && c.EndsAtUtc <= now).ToListAsync(cancellationToken);
        await DeadlineJob.RevealAsync(db, due, notifier, now, cancellationToken);

        await orphans.RunAsync(cancellationToken);
    }
}
