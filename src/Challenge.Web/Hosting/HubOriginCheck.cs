using Microsoft.Extensions.Options;

namespace Challenge.Web.Hosting;

// The live pages talk to the server over /_blazor with the user's cookie. A page on another site
// could open that connection too (a WebSocket is not bound by CORS, and SameSite=Lax still sends
// the cookie from a sibling subdomain), and then act as the user: so the negotiate and connect
// requests must come from a page of this site, or from an origin configured as allowed. Requests
// without an Origin come from no browser page, so no cookie is being borrowed.
internal static class HubOriginCheck
{
    public const string HubPath = "/_blazor";

    public static IApplicationBuilder UseHubOriginCheck(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (!context.Request.Path.StartsWithSegments(HubPath) || !context.Request.Headers.TryGetValue("Origin", out var origins))
        {
            return next(context);
        }
        var allowed = context.RequestServices.GetRequiredService<IOptions<WebSecurityOptions>>().Value.AllowedOrigins;
        if (origins.Count == 1 && IsAllowed(origins.ToString(), context.Request, allowed))
        {
            return next(context);
        }
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return Task.CompletedTask;
    });

    public static bool IsAllowed(string origin, HttpRequest request, IReadOnlyCollection<string> allowed)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            // Includes "null", which sandboxed frames and some redirects send.
            return false;
        }
        if (allowed.Any(a => Uri.TryCreate(a, UriKind.Absolute, out var allowedUri)
            && string.Equals(allowedUri.Scheme, uri.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(allowedUri.IdnHost, uri.IdnHost, StringComparison.OrdinalIgnoreCase)
            && allowedUri.Port == uri.Port))
        {
            return true;
        }
        // The request's own host: the scheme is left out because a proxy ending TLS hands the app
        // plain http for a page the browser loaded over https.
        var host = request.Host;
        return host.HasValue
            && string.Equals(host.Host, uri.IdnHost, StringComparison.OrdinalIgnoreCase)
            && (host.Port is { } port ? port == uri.Port : uri.IsDefaultPort);
    }
}
