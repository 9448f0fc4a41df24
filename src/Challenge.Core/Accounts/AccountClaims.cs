using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Challenge.Core.Accounts;

public static class AccountClaims
{
    public const string DisplayName = "challenge:display_name";

    /// <summary>The name the person chose, or (for a sign-in issued before names were carried) their user name.</summary>
    public static string? ShownName(this ClaimsPrincipal user) =>
        user.FindFirstValue(DisplayName) is { Length: > 0 } name ? name : user.Identity?.Name;
}

// The top bar shows the display name on every page; carrying it in the sign-in spares a query per
// page, and the profile page re-issues the sign-in when the name changes.
public sealed class AppUserClaimsFactory(UserManager<AppUser> users, RoleManager<IdentityRole> roles, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<AppUser, IdentityRole>(users, roles, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(AppUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(AccountClaims.DisplayName, user.DisplayName));
        return identity;
    }
}
