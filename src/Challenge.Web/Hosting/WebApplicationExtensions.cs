using Challenge.Core;
using Challenge.Core.Accounts;
using Challenge.Core.Data;
using Challenge.Core.Storage;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Challenge.Web.Account;
using Challenge.Web.Api;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.RateLimiting;
using Challenge.Web.Components;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using MudBlazor.Services;

namespace Challenge.Web.Hosting;

public static class WebApplicationExtensions
{
    public static WebApplicationBuilder AddChallengeWeb(this WebApplicationBuilder builder)
    {
        var settingsRoot = builder.AddSettingsRoot();
        builder.Services.AddChallengeCore(builder.Configuration, settingsRoot);

        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, RevalidatingSessionStateProvider>();
        builder.Services.AddScoped<IdentityRedirectManager>();
        builder.Services.AddSingleton<LeaderboardBodies>();
        builder.Services.AddSingleton<Components.Shared.Charts.SharedChartMarkup>();
        builder.Services.AddSingleton<PublishedChallengeCache>();
        builder.Services.AddHostedService<Baselines.EmbeddedWorker>();

        builder.Services.AddAuthentication(options =>
            {
                options.DefaultScheme = CookieOrToken;
                options.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddPolicyScheme(CookieOrToken, "Cookie, or an API token when one is sent", options =>
                options.ForwardDefaultSelector = context =>
                    context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                        ? ApiTokenAuthenticationHandler.SchemeName
                        : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, WorkerTokenAuthenticationHandler>(WorkerTokenAuthenticationHandler.SchemeName, null)
            .AddIdentityCookies();
        builder.Services.ConfigureApplicationCookie(options =>
        {
            options.LoginPath = "/account/login";
            options.LogoutPath = "/account/logout";
            options.AccessDeniedPath = "/account/access-denied";
            options.Cookie.Name = "challenge.auth";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.SlidingExpiration = true;
            // Role changes and sign-outs elsewhere take effect on the next request, not after 30 minutes.
            options.Events.OnValidatePrincipal = CookieRoleCheck.ValidatePrincipalAsync;
            // API callers get status codes, not the login page.
            options.Events.OnRedirectToLogin = context => ApiAware(context, StatusCodes.Status401Unauthorized);
            options.Events.OnRedirectToAccessDenied = context => ApiAware(context, StatusCodes.Status403Forbidden);
        });
        builder.Services.AddAuthorizationBuilder().AddApiPolicies();
        builder.Services.AddOpenApi(ApiReference.Configure);
        builder.Services.AddOptions<WebSecurityOptions>().Bind(builder.Configuration.GetSection(WebSecurityOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<RateLimiterOptions>().Configure<Microsoft.Extensions.Options.IOptions<WebSecurityOptions>>((options, security) =>
            options.GlobalLimiter = SignInThrottle.Create(security.Value));
        // API errors are problem details in every environment, with no exception text or stack.
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            // A malformed request is the caller's to fix, and its message names the parameter.
            if (context.Exception is BadHttpRequestException bad)
            {
                context.ProblemDetails.Detail = bad.Message;
            }
        });
        builder.Services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.AddPolicy(SubmissionEndpoints.UploadRateLimit, context => RateLimitPartition.GetFixedWindowLimiter(
                context.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? context.Connection.RemoteIpAddress?.ToString() ?? "anonymous",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = 30, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            options.OnRejected = async (context, cancellationToken) =>
            {
                // Scripts and the CLI read Retry-After to know how long to wait; the window is fixed.
                var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
                var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (SignInThrottle.Applies(context.HttpContext.Request))
                {
                    // A browser posted the form: it shows this text as the page.
                    context.HttpContext.Response.ContentType = "text/plain; charset=utf-8";
                    await context.HttpContext.Response.WriteAsync(
                        $"Too many sign-in attempts from your address; try again in {seconds} s.", cancellationToken);
                    return;
                }
                context.HttpContext.Response.ContentType = "application/problem+json";
                await context.HttpContext.Response.WriteAsJsonAsync(new
                {
                    title = "Too many requests",
                    status = 429,
                    detail = $"Too many uploads in a minute; try again in {seconds} s.",
                }, cancellationToken);
            };
        });

        builder.Services.AddHealthChecks().AddDbContextCheck<ChallengeDbContext>("database");
        return builder;
    }

    public static WebApplication UseChallengeWeb(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
            app.UseHsts();
        }
        // Inside the developer page too: scripts and the CLI read the API, and an exception's text
        // and stack describe the server's internals to whoever sent the request.
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/api"), api => api.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = exception => exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
        }));

        app.UseSecurityHeaders();
        app.UseHubOriginCheck();
        // Unknown addresses and NavigationManager.NotFound() both end on the not-found page with a 404.
        // Only page reads are re-executed: API callers get their status code and problem body, and
        // re-running a POST would replay it as a form post to the page.
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.Use((context, next) =>
        {
            if (!HttpMethods.IsGet(context.Request.Method) || context.Request.Path.StartsWithSegments("/api"))
            {
                context.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>()?.Enabled = false;
            }
            return next(context);
        });

        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseAntiforgery();

        app.MapStaticAssets();
        app.MapHealthChecks("/health");
        app.MapAccountEndpoints();
        app.MapOpenApi();
        app.MapApiDocs();
        app.MapDownloadEndpoints();
        var api = app.MapGroup("/api").WithTags("Api");
        api.MapChallengeEndpoints();
        api.MapSubmissionEndpoints();
        api.MapOrganizerEndpoints();
        api.MapAnnotationEndpoints();
        api.MapBaselineEndpoints();
        api.MapWorkerEndpoints();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

        LogStartup(app);
        return app;
    }

    private const string CookieOrToken = "CookieOrToken";

    private static Task ApiAware(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> context, int statusCode)
    {
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            context.Response.StatusCode = statusCode;
            return Task.CompletedTask;
        }
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    private static void LogStartup(WebApplication app)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var paths = app.Services.GetRequiredService<ChallengePaths>();
            app.Logger.LogInformation("Challenge is listening on {Urls} (environment {Environment}); database file {DatabaseFile}; data directory {DataDirectory}",
                string.Join(", ", addresses), app.Environment.EnvironmentName, paths.DatabaseFile, paths.DataDirectory);
        });
    }
}
