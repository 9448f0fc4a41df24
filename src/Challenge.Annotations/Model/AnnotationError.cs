namespace Challenge.Annotations.Model;

/// <summary>One problem found in an input: the file or archive entry at fault, the line where known, and what is wrong.</summary>
public sealed record AnnotationError(string Entry, int? Line, string Message)
{
    public override string ToString() => Line is { } line ? $"{Entry}:{line}: {Message}" : $"{Entry}: {Message}";
}

/// <summary>
/// Raised inside readers to stop at the first fatal problem; the public entry points turn it into an
/// <see cref="AnnotationError"/> so that callers never see an exception for bad input bytes.
/// </summary>
public sealed class AnnotationFormatException(string entry, int? line, string message) : Exception(message)
{
    public AnnotationError Error { get; } = new(entry, line, message);
}

/// <summary>Either a value (possibly with non-fatal warnings) or the errors that made reading fail.</summary>
public sealed class ParseResult<T>
    where T : class
{
    private ParseResult(T? value, IReadOnlyList<AnnotationError> errors, IReadOnlyList<AnnotationError> warnings)
    {
        Value = value;
        Errors = errors;
        Warnings = warnings;
    }

    public T? Value { get; }
    public IReadOnlyList<AnnotationError> Errors { get; }
    public IReadOnlyList<AnnotationError> Warnings { get; }
    public bool Succeeded => Value is not null && Errors.Count == 0;

    public static ParseResult<T> Success(T value, IReadOnlyList<AnnotationError>? warnings = null) =>
        new(value, [], warnings ?? []);

    public static ParseResult<T> Failure(IReadOnlyList<AnnotationError> errors) => new(null, errors, []);

    public static ParseResult<T> Failure(AnnotationError error) => new(null, [error], []);
}
