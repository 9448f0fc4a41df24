using System.Security.Claims;
using Challenge.Core.Accounts;
using Challenge.Core.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Challenge.Web.Account;

// The sign-in cookie carries the roles it was issued with, and Identity re-reads them only when it
// revalidates the security stamp (every 30 minutes): a revoked Organizer kept exporting and reading
// drafts that long. Every cookie request now compares the cookie's stamp and roles with the stored
// ones (one indexed query, as the API token path does): a changed stamp (password changed, account
// gone) signs the session out, changed roles replace the principal and renew the cookie at once.
internal static class CookieRoleCheck
{
    public static async Task ValidatePrincipalAsync(CookieValidatePrincipalContext context)
    {
        var identity = context.HttpContext.RequestServices.GetRequiredService<IOptions<IdentityOptions>>().Value.ClaimsIdentity;
        var userId = context.Principal?.FindFirstValue(identity.UserIdClaimType);
        if (context.Principal is null || userId is null)
        {
            await RejectAsync(context);
            return;
        }

        var dbFactory = context.HttpContext.RequestServices.GetRequiredService<IDbContextFactory<ChallengeDbContext>>();
        await using var db = await dbFactory.CreateDbContextAsync(context.HttpContext.RequestAborted);
        var stored = await db.Users.Where(u => u.Id == userId)
            .Select(u => new
            {
                u.SecurityStamp,
                Roles = db.UserRoles.Where(r => r.UserId == u.Id).Join(db.Roles, r => r.RoleId, role => role.Id, (_, role) => role.Name).ToList(),
            })
            .SingleOrDefaultAsync(context.HttpContext.RequestAborted);
        var cookieStamp = context.Principal.FindFirstValue(identity.SecurityStampClaimType);
        if (stored is null || (stored.SecurityStamp is not null && stored.SecurityStamp != cookieStamp))
        {
            await RejectAsync(context);
            return;
        }

        var cookieRoles = context.Principal.FindAll(identity.RoleClaimType).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        if (cookieRoles.SetEquals(stored.Roles.OfType<string>()))
        {
            return;
        }
        var signIn = context.HttpContext.RequestServices.GetRequiredService<SignInManager<AppUser>>();
        var user = await signIn.UserManager.FindByIdAsync(userId);
        if (user is null)
        {
            await RejectAsync(context);
            return;
        }
        context.ReplacePrincipal(await signIn.CreateUserPrincipalAsync(user));
        context.ShouldRenew = true;
    }

    private static async Task RejectAsync(CookieValidatePrincipalContext context)
    {
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
    }
}
