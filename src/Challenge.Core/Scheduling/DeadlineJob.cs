using Challenge.Core.Audit;
using Challenge.Core.Challenges;
using Challenge.Core.Data;
using Challenge.Core.Leaderboards;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace Challenge.Core.Scheduling;

// Fires at a challenge's final deadline: submissions are closed from then on (checked on every
// upload) and the private leaderboard is revealed.
public sealed class DeadlineJob(IDbContextFactory<ChallengeDbContext> dbFactory, ILeaderboardNotifier notifier, TimeProvider clock) : IJob
{
    public const string CompetitionIdKey = "competitionId";

    public static JobKey KeyOf(int competitionId) => new($"deadline-{competitionId}", "deadlines");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var competitionId = context.MergedJobDataMap.GetInt(CompetitionIdKey);
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var due = await db.Competitions.Where(c => c.Id == competitionId && c.PrivateRevealedAtUtc == null && c.EndsAtUtc <= now).ToListAsync(cancellationToken);
        await RevealAsync(db, due, notifier, now, cancellationToken);
    }

    internal static async Task RevealAsync(ChallengeDbContext db, IReadOnlyList<Competition> due, ILeaderboardNotifier notifier, DateTime now, CancellationToken cancellationToken)
    {
        foreach (var competition in due)
        {
            competition.PrivateRevealedAtUtc = now;
            db.Audit(competition.Id, null, "private.revealed", "The final deadline passed: the private leaderboard is public.", now);
        }
        await db.SaveChangesAsync(cancellationToken);
        foreach (var competition in due)
        {
            foreach (var taskId in await db.Tasks.Where(t => t.CompetitionId == competition.Id).Select(t => t.Id).ToListAsync(cancellationToken))
            {
                notifier.Publish(new LeaderboardChange(competition.Id, taskId, null));
            }
        }
    }
}

public sealed class DeadlineScheduler(ISchedulerFactory schedulers, TimeProvider clock)
{
    public async Task ScheduleAsync(Competition competition, CancellationToken cancellationToken = default)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var job = JobBuilder.Create<DeadlineJob>()
            .WithIdentity(DeadlineJob.KeyOf(competition.Id))
            .UsingJobData(DeadlineJob.CompetitionIdKey, competition.Id)
            .RequestRecovery(true)
            .Build();
        var trigger = TriggerBuilder.Create(clock)
            .WithIdentity($"deadline-{competition.Id}", "deadlines")
            .StartAt(new DateTimeOffset(DateTime.SpecifyKind(competition.EndsAtUtc, DateTimeKind.Utc)))
            .WithSchedule(SimpleScheduleBuilder.Create().WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .Build();
        await scheduler.ScheduleJob(job, [trigger], new ScheduleJobOptions { Replace = true }, cancellationToken);
    }
}
