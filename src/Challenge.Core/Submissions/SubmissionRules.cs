namespace Challenge.Core.Submissions;

public static class SubmissionRules
{
    public const int DescriptionMaxLength = 1_000;
    public const int MaxScoringAttempts = 3;

    // A submission in Scoring longer than this is taken to be stuck (its process died) and retried.
    public static readonly TimeSpan ScoringLease = TimeSpan.FromMinutes(5);
}
