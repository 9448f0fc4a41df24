using System.Security.Claims;
using Challenge.Core.Accounts;
using Challenge.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Challenges;

// Who may manage a challenge: admins, its owner and its co-organizers (all holding the Organizer role).
public static class CompetitionAccess
{
    public static string? UserId(this ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier);

    public static async Task<bool> CanManageAsync(ChallengeDbContext db, Competition competition, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        if (user.IsInRole(Roles.Admin))
        {
            return true;
        }
        var userId = user.UserId();
        if (userId is null || !user.IsInRole(Roles.Organizer))
        {
            return false;
        }
        return competition.OwnerId == userId
            || await db.CompetitionOrganizers.AnyAsync(o => o.CompetitionId == competition.Id && o.UserId == userId, cancellationToken);
    }
}
