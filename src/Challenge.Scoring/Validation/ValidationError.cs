namespace Challenge.Scoring.Validation;

/// <summary>One reason a file was rejected.</summary>
/// <param name="Line">1-based line of the file (the header is line 1); null for problems about the whole file, such as missing Ids.</param>
/// <param name="Column">1-based column where it applies, otherwise null.</param>
/// <param name="Message">Plain-English explanation meant for the person who uploaded the file.</param>
/// <param name="Audience">Who may read the message: a solution's errors quote the hidden truth, so only organizers see them.</param>
public sealed record ValidationError(int? Line, int? Column, string Message, MessageAudience Audience = MessageAudience.Team)
{
    /// <summary>The message led by its place in the file, as "Line 12, column 3: ...".</summary>
    public string Describe() =>
        (Line is { } line ? $"Line {line}" + (Column is { } column ? $", column {column}" : "") + ": " : "") + Message;
}

/// <summary>
/// Who may be shown a scoring message, the split Kaggle's metric contract makes between a
/// participant-visible error and one for the host only.
/// </summary>
public enum MessageAudience
{
    /// <summary>About the team's own file; safe to show to the team.</summary>
    Team,

    /// <summary>May reveal solution content (Ids, true labels, values) or server internals; organizers only.</summary>
    Organizers,
}
