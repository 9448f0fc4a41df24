namespace Challenge.Core.Outcomes;

public enum OutcomeStatus { Ok, NotFound, Forbidden, Invalid, Conflict }

/// <summary>
/// What a Core command or query gives back: the value, or why there is none. One mapping turns it
/// into HTTP problem details and one into form errors, so pages and endpoints say the same thing.
/// </summary>
public sealed record Outcome<T>
{
    private Outcome(OutcomeStatus status, T? value, string? message, IReadOnlyDictionary<string, string>? errors)
    {
        Status = status;
        Value = value;
        Message = message;
        Errors = errors ?? EmptyErrors;
    }

    private static readonly IReadOnlyDictionary<string, string> EmptyErrors = new Dictionary<string, string>();

    public OutcomeStatus Status { get; }
    public T? Value { get; }
    /// <summary>For everything but <see cref="OutcomeStatus.Ok"/>: a sentence for the person who asked.</summary>
    public string? Message { get; }
    /// <summary>For <see cref="OutcomeStatus.Invalid"/>: the message for each field at fault ("" for the form as a whole).</summary>
    public IReadOnlyDictionary<string, string> Errors { get; }
    public bool IsOk => Status == OutcomeStatus.Ok;

    public static Outcome<T> Ok(T value) => new(OutcomeStatus.Ok, value, null, null);
    public static Outcome<T> NotFound(string message) => new(OutcomeStatus.NotFound, default, message, null);
    public static Outcome<T> Forbidden(string message) => new(OutcomeStatus.Forbidden, default, message, null);
    public static Outcome<T> Conflict(string message) => new(OutcomeStatus.Conflict, default, message, null);
    public static Outcome<T> Invalid(IReadOnlyDictionary<string, string> errors) =>
        new(OutcomeStatus.Invalid, default, errors.TryGetValue("", out var general) ? general : "Some fields are not valid.", errors);
    public static Outcome<T> Invalid(string field, string message) => Invalid(new Dictionary<string, string> { [field] = message });

    public static implicit operator Outcome<T>(T value) => Ok(value);
}

/// <summary>One page of a longer list, with the length of the whole list.</summary>
public sealed record PageOf<T>(IReadOnlyList<T> Items, int Total);

/// <summary>Which page of a list to read, and in what order; sizes are clamped to 1–500.</summary>
public sealed record PageRequest(int Page = 0, int PageSize = 50, string? SortBy = null, bool Descending = false)
{
    public int Skip => Math.Max(0, Page) * Take;
    public int Take => Math.Clamp(PageSize, 1, 500);
}
