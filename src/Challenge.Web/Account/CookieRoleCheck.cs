using System.Security.Claims;
using Challenge.Core.Accounts;
using Challenge.Core.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Challenge.Web.Account;

public enum SessionState
{
    Valid,
    RolesChanged,
    Ended,
}

// The sign-in cookie carries the roles it was issued with, and Identity re-reads them only when it
// revalidates the security stamp (every 30 minutes): a revoked Organizer kept exporting and reading
// drafts that long. Every cookie request now compares the cookie's stamp and roles with the stored
// ones (one indexed query, as the API token path does): a changed stamp (password changed, account
// gone) signs the session out, changed roles replace the principal and renew the cookie at once.
internal static class CookieRoleCheck
{
    public static async Task ValidatePrincipalAsync(CookieValidatePrincipalContext context)
    {
        var services = context.HttpContext.RequestServices;
        var state = context.Principal is null ? SessionState.Ended : await CheckAsync(services, context.Principal, context.HttpContext.RequestAborted);
        if (state == SessionState.Valid)
        {
            return;
        }
        var signIn = services.GetRequiredService<SignInManager<AppUser>>();
        var user = state == SessionState.RolesChanged ? await signIn.UserManager.GetUserAsync(context.Principal!) : null;
        if (user is null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
            return;
        }
        context.ReplacePrincipal(await signIn.CreateUserPrincipalAsync(user));
        context.ShouldRenew = true;
    }

    // Whether the session a principal stands for still holds, and with the roles it carries.
    public static async Task<SessionState> CheckAsync(IServiceProvider services, ClaimsPrincipal principal, CancellationToken cancellationToken)
    {
        var identity = services.GetRequiredService<IOptions<IdentityOptions>>().Value.ClaimsIdentity;
        var userId = principal.FindFirstValue(identity.UserIdClaimType);
        if (userId is null)
        {
            return SessionState.Ended;
        }
        var dbFactory = services.GetRequiredService<IDbContextFactory<ChallengeDbContext>>();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var stored = await db.Users.Where(u => u.Id == userId)
            .Select(u => new
            {
                u.SecurityStamp,
                Roles = db.UserRoles.Where(r => r.UserId == u.Id).Join(db.Roles, r => r.RoleId, role => role.Id, (_, role) => role.Name).ToList(),
            })
            .SingleOrDefaultAsync(cancellationToken);
        if (stored is null || (stored.SecurityStamp is not null && stored.SecurityStamp != principal.FindFirstValue(identity.SecurityStampClaimType)))
        {
            return SessionState.Ended;
        }
        var roles = principal.FindAll(identity.RoleClaimType).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        return roles.SetEquals(stored.Roles.OfType<string>()) ? SessionState.Valid : SessionState.RolesChanged;
    }
}

// An open Blazor circuit keeps the principal it was opened with; this checks it every few seconds
// the same way, and a session whose roles or stamp changed loses its sign-in in the circuit (the
// next page load signs in again through the cookie with the current roles).
internal sealed class RevalidatingSessionStateProvider(ILoggerFactory loggers, IServiceScopeFactory scopes)
    : RevalidatingServerAuthenticationStateProvider(loggers)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromSeconds(10);

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        if (authenticationState.User.Identity?.IsAuthenticated != true)
        {
            return true;
        }
        await using var scope = scopes.CreateAsyncScope();
        return await CookieRoleCheck.CheckAsync(scope.ServiceProvider, authenticationState.User, cancellationToken) == SessionState.Valid;
    }
}
