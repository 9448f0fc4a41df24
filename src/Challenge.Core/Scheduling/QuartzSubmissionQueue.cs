using Challenge.Core.Submissions;
using Quartz;

namespace Challenge.Core.Scheduling;

// Each submission gets a durable Quartz job that asks for recovery: if the process dies while it
// runs, the scheduler fires it again on the next start (or on another node when clustered).
public sealed class QuartzSubmissionQueue(ISchedulerFactory schedulers, TimeProvider clock) : ISubmissionQueue
{
    public const string Group = "scoring";

    public static JobKey KeyOf(long submissionId) => new($"score-{submissionId}", Group);

    public async Task EnqueueAsync(long submissionId, CancellationToken cancellationToken = default)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var job = JobBuilder.Create<ScoreSubmissionJob>()
            .WithIdentity(KeyOf(submissionId))
            .UsingJobData(ScoreSubmissionJob.SubmissionIdKey, submissionId)
            .RequestRecovery(true)
            .Build();
        var trigger = TriggerBuilder.Create(clock)
            .WithIdentity($"score-{submissionId}-{Guid.NewGuid():N}", Group)
            .StartNow()
            .WithSchedule(SimpleScheduleBuilder.Create().WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .Build();
        await scheduler.ScheduleJob(job, [trigger], new ScheduleJobOptions { Replace = true }, cancellationToken);
    }
}

public sealed class ScoreSubmissionJob(SubmissionScorer scorer) : IJob
{
    public const string SubmissionIdKey = "submissionId";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await scorer.ScoreAsync(context.MergedJobDataMap.GetLong(SubmissionIdKey), cancellationToken);
}
