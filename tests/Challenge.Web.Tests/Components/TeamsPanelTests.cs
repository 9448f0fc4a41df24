using System.Security.Claims;
using Bunit;
using Challenge.Core.Accounts;
using Challenge.Core.Challenges;
using Challenge.Core.Data;
using Challenge.Web.Components.Pages.Challenges.Manage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace Challenge.Web.Tests.Components;

// The Teams panel on the demo challenge, with the app's real services and database behind it.
public sealed class TeamsPanelTests
{
    [Fact]
    public async Task The_panel_lists_every_team_and_disqualifies_one_for_a_reason_after_confirming()
    {
        await using var factory = new ChallengeWebFactory(seedDemo: true);
        _ = factory.Server;
        await using var scope = factory.Services.CreateAsyncScope();
        await using var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        context.Services.AddFallbackServiceProvider(scope.ServiceProvider);
        var auth = context.AddAuthorization();
        auth.SetAuthorized("admin@example.org");
        auth.SetRoles(Roles.Admin);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, "admin-1"));
        Competition challenge;
        await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<ChallengeDbContext>>().CreateDbContextAsync())
        {
            challenge = await db.Competitions.AsNoTracking().SingleAsync(c => c.Slug == "eurosat-land-cover");
        }

        var dialogs = context.Render<MudDialogProvider>();
        var panel = context.Render<TeamsPanel>(p => p.Add(c => c.Challenge, challenge));
        await panel.WaitForAssertionAsync(() => Assert.Equal(7, panel.FindAll("tbody tr.mud-table-row").Count), TimeSpan.FromSeconds(10));
        Assert.Contains("baseline", panel.Markup);

        var lateJoiners = panel.FindAll("tbody tr.mud-table-row").Single(r => r.TextContent.Contains("Late Joiners"));
        // The click's handler waits for the dialog's answer, so it is awaited only after answering.
        var click = lateJoiners.QuerySelector("[data-testid=disqualify]")!.ClickAsync(new());
        await dialogs.WaitForAssertionAsync(() => Assert.Contains("leaves both leaderboards", dialogs.Markup));
        await dialogs.Find(".mud-dialog textarea").ChangeAsync(new() { Value = "Two accounts for one person" });
        await dialogs.Find("[data-testid=reason-confirm]").ClickAsync(new());
        await click;

        await panel.WaitForAssertionAsync(() =>
            Assert.Contains("disqualified: Two accounts for one person", panel.FindAll("tbody tr.mud-table-row").Single(r => r.TextContent.Contains("Late Joiners")).TextContent), TimeSpan.FromSeconds(10));
        await using var check = await factory.Services.GetRequiredService<IDbContextFactory<ChallengeDbContext>>().CreateDbContextAsync();
        Assert.Equal("Two accounts for one person", (await check.Teams.SingleAsync(t => t.Name == "Late Joiners")).DisqualificationReason);
        Assert.Single(await check.AuditLog.Where(a => a.Action == "team.disqualified").ToListAsync());
    }

    [Fact]
    public async Task Cancelling_the_confirmation_changes_nothing()
    {
        await using var factory = new ChallengeWebFactory(seedDemo: true);
        _ = factory.Server;
        await using var scope = factory.Services.CreateAsyncScope();
        await using var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        context.Services.AddFallbackServiceProvider(scope.ServiceProvider);
        var auth = context.AddAuthorization();
        auth.SetAuthorized("admin@example.org");
        auth.SetRoles(Roles.Admin);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, "admin-1"));
        Competition challenge;
        await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<ChallengeDbContext>>().CreateDbContextAsync())
        {
            challenge = await db.Competitions.AsNoTracking().SingleAsync(c => c.Slug == "eurosat-land-cover");
        }

        var dialogs = context.Render<MudDialogProvider>();
        var panel = context.Render<TeamsPanel>(p => p.Add(c => c.Challenge, challenge));
        await panel.WaitForAssertionAsync(() => Assert.Equal(7, panel.FindAll("tbody tr.mud-table-row").Count), TimeSpan.FromSeconds(10));
        var click = panel.FindAll("[data-testid=disqualify]")[0].ClickAsync(new());
        await dialogs.WaitForAssertionAsync(() => Assert.Contains("leaves both leaderboards", dialogs.Markup));
        await dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel").ClickAsync(new());
        await click;

        await using var check = await factory.Services.GetRequiredService<IDbContextFactory<ChallengeDbContext>>().CreateDbContextAsync();
        Assert.False(await check.Teams.AnyAsync(t => t.DisqualifiedAtUtc != null));
        Assert.False(await check.AuditLog.AnyAsync(a => a.Action == "team.disqualified"));
    }
}
