namespace Challenge.Scoring;

/// <summary>
/// A valid submission that a metric could not score. The team may read <see cref="TeamMessage"/>,
/// which never depends on the solution; the cause (<see cref="Exception.InnerException"/> and
/// <see cref="OrganizerMessage"/>) can quote hidden Ids or labels and is for organizers only.
/// </summary>
public sealed class ScoringFailedException(string metric, Exception cause)
    : Exception($"Metric '{metric}' failed: {cause.Message}", cause)
{
    public const string NeutralMessage = "The server could not compute the score of this file; the organizers have been told.";

    public string Metric { get; } = metric;

    /// <summary>Safe for the team: the same words whatever went wrong.</summary>
    public string TeamMessage => NeutralMessage;

    /// <summary>For organizers: which metric failed and why, possibly quoting the solution.</summary>
    public string OrganizerMessage => Message;
}
