namespace Challenge.Web.Hosting;

internal static class SecurityHeaders
{
    // What the pages load: the Blazor and MudBlazor scripts and the stylesheets from this site, the
    // live connection back to it (a WebSocket; 'self' covers ws: and wss: in CSP 3 browsers, the
    // explicit ones are for older ones), images of annotation tasks from the API. Style attributes
    // are allowed (MudBlazor and the annotation viewer position elements with them); scripts are not
    // inline anywhere, so no inline script and no eval may run.
    private static string Policy(HttpRequest request)
    {
        var host = request.Host.HasValue ? request.Host.Value : null;
        var sockets = host is null ? "" : $" ws://{host} wss://{host}";
        return "default-src 'self'; "
            + "script-src 'self'; "
            + "style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data:; "
            + "font-src 'self' data:; "
            + $"connect-src 'self'{sockets}; "
            + "object-src 'none'; "
            + "base-uri 'self'; "
            + "form-action 'self'; "
            + "frame-ancestors 'none'";
    }

    // The API reference page starts its script with an inline module that carries its settings; the
    // page shows only the OpenAPI document (no uploaded text), so inline scripts are let in there and
    // nowhere else. Everything else it loads comes from this site.
    private static string DocsPolicy(string policy) => policy.Replace("script-src 'self';", "script-src 'self' 'unsafe-inline';", StringComparison.Ordinal);

    // Uploaded text (team names, descriptions) is served as typed in JSON and CSV: no browser may
    // sniff such a response into a page, and no other site may frame ours. Addresses carry slugs
    // and returnUrls: other sites learn only that a visitor came from here.
    // Set as the response starts, so that an error page, whose handler clears the headers, has them too.
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments(Api.ApiReference.DocsPath)
                ? DocsPolicy(Policy(context.Request))
                : Policy(context.Request);
            headers["Referrer-Policy"] = "same-origin";
            return Task.CompletedTask;
        });
        return next(context);
    });
}
