namespace Challenge.Core.Submissions;

public static class SubmissionRules
{
    public const int DescriptionMaxLength = 1_000;
    public const int MaxScoringAttempts = 3;

    // A scorer's claim on a submission lasts this long and is renewed every third of it while the
    // scorer works; a claim left to run out means its process died, and the submission is retried.
    public static readonly TimeSpan ScoringLease = TimeSpan.FromSeconds(30);
}
