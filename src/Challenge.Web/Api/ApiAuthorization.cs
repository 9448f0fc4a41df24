using Challenge.Core.Accounts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;

namespace Challenge.Web.Api;

internal static class ApiAuthorization
{
    public const string TokenOnly = "api-token";
    public const string TokenOrCookie = "api-token-or-cookie";

    public static AuthorizationBuilder AddApiPolicies(this AuthorizationBuilder authorization) => authorization
        .AddPolicy(TokenOnly, policy => policy.AddAuthenticationSchemes(ApiTokenAuthenticationHandler.SchemeName).RequireAuthenticatedUser())
        .AddPolicy(TokenOrCookie, policy => policy.AddAuthenticationSchemes(ApiTokenAuthenticationHandler.SchemeName, IdentityConstants.ApplicationScheme).RequireAuthenticatedUser())
        .AddPolicy(WorkerTokenAuthenticationHandler.Policy, policy => policy.AddAuthenticationSchemes(WorkerTokenAuthenticationHandler.SchemeName)
            .RequireClaim(WorkerTokenAuthenticationHandler.WorkerIdClaim));
}
