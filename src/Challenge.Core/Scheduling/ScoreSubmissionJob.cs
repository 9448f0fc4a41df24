using Challenge.Core.Submissions;
using Quartz;

namespace Challenge.Core.Scheduling;

// Earlier versions queued one durable Quartz job per submission; a database upgraded from one may
// still hold such jobs, which fire once and score through the same claim as the workers.
public sealed class ScoreSubmissionJob(SubmissionScorer scorer) : IJob
{
    public const string SubmissionIdKey = "submissionId";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await scorer.ScoreAsync(context.MergedJobDataMap.GetLong(SubmissionIdKey), cancellationToken);
}
