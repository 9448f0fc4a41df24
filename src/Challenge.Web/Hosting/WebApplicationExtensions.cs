using Challenge.Core;
using Challenge.Core.Accounts;
using Challenge.Core.Data;
using Challenge.Core.Storage;
using Challenge.Web.Account;
using Challenge.Web.Blazor;
using Challenge.Web.Components;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Radzen;

namespace Challenge.Web.Hosting;

public static class WebApplicationExtensions
{
    public static WebApplicationBuilder AddChallengeWeb(this WebApplicationBuilder builder)
    {
        var settingsRoot = builder.AddSettingsRoot();
        builder.Services.AddChallengeCore(builder.Configuration, settingsRoot);

        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddRadzenComponents();
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddScoped<IdentityRedirectManager>();

        builder.Services.AddAuthentication(options =>
            {
                options.DefaultScheme = IdentityConstants.ApplicationScheme;
                options.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
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
        });
        builder.Services.AddAuthorization();

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

        // Unknown addresses and NavigationManager.NotFound() both end on the not-found page with a 404.
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);

        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapStaticAssets();
        app.MapBlazorScript();
        app.MapHealthChecks("/health");
        app.MapAccountEndpoints();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

        LogStartup(app);
        return app;
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
