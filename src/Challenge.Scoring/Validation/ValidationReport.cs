namespace Challenge.Scoring.Validation;

/// <summary>The verdict on a file: valid, or the first errors with the total count.</summary>
public sealed record ValidationReport(IReadOnlyList<ValidationError> Errors, int ErrorCount)
{
    /// <summary>At most this many errors are listed; <see cref="ErrorCount"/> still counts them all.</summary>
    public const int MaxListedErrors = 20;

    public static ValidationReport Valid { get; } = new([], 0);

    public bool IsValid => ErrorCount == 0;
}
