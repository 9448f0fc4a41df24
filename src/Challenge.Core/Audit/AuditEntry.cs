namespace Challenge.Core.Audit;

// Organizer operations that change results: rescoring, hiding, disqualifying, solution changes.
public sealed class AuditEntry
{
    public long Id { get; set; }
    public int CompetitionId { get; set; }
    public string? ActorId { get; set; }
    public required string Action { get; set; }
    public string Detail { get; set; } = "";
    public DateTime AtUtc { get; set; }
}
