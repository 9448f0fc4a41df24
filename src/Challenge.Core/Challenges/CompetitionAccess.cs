using System.Security.Claims;
using Challenge.Core.Accounts;
using Challenge.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Challenges;

// Who the signed-in person is; what they may do is decided in Access/.
public static class CompetitionAccess
{
    public static string? UserId(this ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier);
}
