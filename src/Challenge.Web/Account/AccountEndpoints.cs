using Challenge.Core.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace Challenge.Web.Account;

internal static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        // A form post (never a GET) so that a link on another site cannot sign people out; the form
        // binding makes the anti-forgery check mandatory.
        endpoints.MapPost("/account/logout", async (SignInManager<AppUser> signIn, [FromForm] string? returnUrl) =>
        {
            await signIn.SignOutAsync();
            return TypedResults.LocalRedirect(LocalUrl.OrHome(returnUrl));
        }).WithSummary("Sign out of the browser session (a form post with its anti-forgery token); not for API tokens.");
        return endpoints;
    }
}
