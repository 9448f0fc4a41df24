using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;

namespace Challenge.Core.Access;

public static class AccessExtensions
{
    /// <summary>Whether <paramref name="user"/> passes <paramref name="rule"/> for <paramref name="resource"/>.</summary>
    public static async Task<bool> AllowsAsync(this IAuthorizationService authorization, ClaimsPrincipal user, object resource, AccessRule rule) =>
        (await authorization.AuthorizeAsync(user, resource, rule)).Succeeded;
}
