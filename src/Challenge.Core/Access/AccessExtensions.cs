using System.Security.Claims;
using Challenge.Core.Outcomes;
using Microsoft.AspNetCore.Authorization;

namespace Challenge.Core.Access;

public static class AccessExtensions
{
    /// <summary>Whether <paramref name="user"/> passes <paramref name="rule"/> for <paramref name="resource"/>.</summary>
    public static async Task<bool> AllowsAsync(this IAuthorizationService authorization, ClaimsPrincipal user, object resource, AccessRule rule) =>
        (await authorization.AuthorizeAsync(user, resource, rule)).Succeeded;

    /// <summary>Null when <paramref name="user"/> passes <paramref name="rule"/>; otherwise the forbidden outcome that says which rule.</summary>
    public static async Task<Outcome<T>?> RefusalAsync<T>(this IAuthorizationService authorization, ClaimsPrincipal user, object resource, AccessRule rule) =>
        await authorization.AllowsAsync(user, resource, rule) ? null : Outcome<T>.Forbidden($"You may not {rule}.");
}
