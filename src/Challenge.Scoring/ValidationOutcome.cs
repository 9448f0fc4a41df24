using Challenge.Scoring.Validation;

namespace Challenge.Scoring;

/// <summary>Either a value read from a file, or the report that explains why the file was rejected.</summary>
public sealed class ValidationOutcome<T>
    where T : class
{
    private ValidationOutcome(T? value, ValidationReport report)
    {
        Value = value;
        Report = report;
    }

    /// <summary>The value; null exactly when the file was rejected.</summary>
    public T? Value { get; }

    public ValidationReport Report { get; }

    public bool IsValid => Value is not null;

    internal static ValidationOutcome<T> Accepted(T value) => new(value, ValidationReport.Valid);

    internal static ValidationOutcome<T> Rejected(ValidationReport report) => new(null, report);
}
