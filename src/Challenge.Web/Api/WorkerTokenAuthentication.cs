using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Challenge.Core.Baselines;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Challenge.Web.Api;

// "Authorization: Bearer chw_…" with a worker token. A worker is no person: it gets no user id
// and no role, so it can reach nothing but the worker endpoints, and those accept nothing else.
internal sealed class WorkerTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    BaselineQueue queue) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "WorkerToken";
    public const string WorkerIdClaim = "challenge:worker";
    public const string Policy = "worker-token";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }
        var worker = await queue.AuthenticateAsync(header["Bearer ".Length..].Trim(), Context.RequestAborted);
        if (worker is null)
        {
            return AuthenticateResult.Fail("The worker token is unknown or revoked.");
        }
        var identity = new ClaimsIdentity(
            [new Claim(WorkerIdClaim, worker.Id.ToString(CultureInfo.InvariantCulture)), new Claim(ClaimTypes.Name, worker.Name)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }
}

internal static class WorkerPrincipal
{
    public static int WorkerId(this ClaimsPrincipal user) =>
        int.Parse(user.FindFirstValue(WorkerTokenAuthenticationHandler.WorkerIdClaim)!, CultureInfo.InvariantCulture);
}
