using Challenge.Core.Data;

namespace Challenge.Core.Audit;

public static class AuditLogExtensions
{
    // Added to the caller's unit of work so the entry commits (or not) with the change it records.
    public static void Audit(this ChallengeDbContext db, int competitionId, string? actorId, string action, string detail, DateTime atUtc) =>
        db.AuditLog.Add(new AuditEntry { CompetitionId = competitionId, ActorId = actorId, Action = action, Detail = detail, AtUtc = atUtc });
}
