using System.Security.Claims;
using Challenge.Core.Access;
using Challenge.Core.Challenges;
using Challenge.Core.Data;
using Challenge.Core.Outcomes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Audit;

public sealed record AuditRow(long Id, DateTime AtUtc, string? Who, string Action, string Detail);

/// <summary>A challenge's audit log for its organizers, newest first, with the name of who acted.</summary>
public sealed class AuditTrail(IDbContextFactory<ChallengeDbContext> dbFactory, IAuthorizationService authorization)
{
    public async Task<Outcome<PageOf<AuditRow>>> ListAsync(Competition challenge, PageRequest page, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        if (await authorization.RefusalAsync<PageOf<AuditRow>>(user, challenge, AccessRules.ManageChallenge) is { } refused)
        {
            return refused;
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var entries = db.AuditLog.AsNoTracking().Where(a => a.CompetitionId == challenge.Id);
        var rows = await (page.Descending || page.SortBy is null ? entries.OrderByDescending(a => a.Id) : entries.OrderBy(a => a.Id))
            .Skip(page.Skip).Take(page.Take)
            .Select(a => new AuditRow(a.Id, a.AtUtc, db.Users.Where(u => u.Id == a.ActorId).Select(u => u.DisplayName).FirstOrDefault(), a.Action, a.Detail))
            .ToListAsync(cancellationToken);
        return new PageOf<AuditRow>(rows, await entries.CountAsync(cancellationToken));
    }
}
