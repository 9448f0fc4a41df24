namespace Challenge.Core.Submissions;

public interface ISubmissionQueue
{
    Task EnqueueAsync(long submissionId, CancellationToken cancellationToken = default);
}
