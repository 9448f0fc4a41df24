namespace Challenge.Scoring.Validation;

/// <summary>Keeps the first errors and counts the rest, so a file with a million bad rows stays cheap to report.</summary>
internal sealed class ErrorCollector(MessageAudience audience = MessageAudience.Team)
{
    private readonly List<ValidationError> _errors = [];

    public int Count { get; private set; }

    public bool HasErrors => Count > 0;

    public void Add(int? line, int? column, string message)
    {
        Count++;
        if (_errors.Count < ValidationReport.MaxListedErrors)
        {
            _errors.Add(new ValidationError(line, column, message, audience));
        }
    }

    /// <summary>The same message for <paramref name="count"/> consecutive lines, without a loop over lines that will not be listed.</summary>
    public void AddForLines(int firstLine, int count, string message)
    {
        for (int i = 0; i < count && _errors.Count < ValidationReport.MaxListedErrors; i++)
        {
            _errors.Add(new ValidationError(firstLine + i, null, message, audience));
        }
        Count += count;
    }

    public ValidationReport ToReport() => Count == 0 ? ValidationReport.Valid : new ValidationReport(_errors.ToArray(), Count);
}
