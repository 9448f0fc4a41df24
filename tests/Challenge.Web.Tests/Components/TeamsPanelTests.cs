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
    // The panel and the dialog provider rendered for the site's admin, over a seeded server.
    private sealed class Desk : IAsyncDisposable
    {
        private readonly ChallengeWebFactory _factory = new(seedDemo: true);
        private readonly AsyncServiceScope _scope;
        private readonly BunitContext _context = new();

        public Desk()
        {
            _ = _factory.Server;
            _scope = _factory.Services.CreateAsyncScope();
            _context.JSInterop.Mode = JSRuntimeMode.Loose;
            _context.Services.AddMudServices();
            _context.Services.AddFallbackServiceProvider(_scope.ServiceProvider);
            var auth = _context.AddAuthorization();
            auth.SetAuthorized("admin@example.org");
            auth.SetRoles(Roles.Admin);
            auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, "admin-1"));
        }

        public IRenderedComponent<MudDialogProvider> Dialogs { get; private set; } = default!;
        public IRenderedComponent<TeamsPanel> Panel { get; private set; } = default!;

        public async Task OpenAsync()
        {
            Competition challenge;
            List<Challenge.Core.Tasks.CompetitionTask> tasks;
            await using (var db = await OpenDbAsync())
            {
                challenge = await db.Competitions.AsNoTracking().SingleAsync(c => c.Slug == "eurosat-land-cover");
                // The demo's baseline rows come from a worker's runs; one such team stands in for them.
                if (!await db.Teams.AnyAsync(t => t.CompetitionId == challenge.Id && t.IsBaseline))
                {
                    db.Teams.Add(new Challenge.Core.Teams.Team { CompetitionId = challenge.Id, Name = "Baseline: cnn", InviteCode = "baselinecnn00000", IsBaseline = true, CreatedAtUtc = DateTime.UtcNow });
                    await db.SaveChangesAsync();
                }
                tasks = await db.Tasks.AsNoTracking().Where(t => t.CompetitionId == challenge.Id).ToListAsync();
            }
            Dialogs = _context.Render<MudDialogProvider>();
            Panel = _context.Render<TeamsPanel>(p => p.Add(c => c.Challenge, challenge).Add(c => c.Tasks, tasks));
            await Panel.WaitForAssertionAsync(() => Assert.Equal(7, Rows().Count), TimeSpan.FromSeconds(10));
        }

        public IReadOnlyList<AngleSharp.Dom.IElement> Rows() => Panel.FindAll("tbody tr.mud-table-row");

        public Task<ChallengeDbContext> OpenDbAsync() => _factory.Services.GetRequiredService<IDbContextFactory<ChallengeDbContext>>().CreateDbContextAsync();

        public async ValueTask DisposeAsync()
        {
            await _context.DisposeAsync();
            await _scope.DisposeAsync();
            await _factory.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_panel_lists_every_team_and_disqualifies_one_for_a_reason_after_confirming()
    {
        await using var desk = new Desk();
        await desk.OpenAsync();
        Assert.Contains("baseline", desk.Panel.Markup);

        var lateJoiners = desk.Rows().Single(r => r.TextContent.Contains("Late Joiners"));
        // The click's handler waits for the dialog's answer, so it is awaited only after answering.
        var click = lateJoiners.QuerySelector("[data-testid=disqualify]")!.ClickAsync(new());
        await desk.Dialogs.WaitForAssertionAsync(() => Assert.Contains("leaves both leaderboards", desk.Dialogs.Markup));
        await desk.Dialogs.Find(".mud-dialog textarea").ChangeAsync(new() { Value = "Two accounts for one person" });
        await desk.Dialogs.Find("[data-testid=reason-confirm]").ClickAsync(new());
        await click;

        await desk.Panel.WaitForAssertionAsync(() =>
            Assert.Contains("disqualified: Two accounts for one person", desk.Rows().Single(r => r.TextContent.Contains("Late Joiners")).TextContent), TimeSpan.FromSeconds(10));
        await using var check = await desk.OpenDbAsync();
        Assert.Equal("Two accounts for one person", (await check.Teams.SingleAsync(t => t.Name == "Late Joiners")).DisqualificationReason);
        Assert.Single(await check.AuditLog.Where(a => a.Action == "team.disqualified").ToListAsync());
    }

    [Fact]
    public async Task Cancelling_the_confirmation_changes_nothing()
    {
        await using var desk = new Desk();
        await desk.OpenAsync();

        var click = desk.Panel.FindAll("[data-testid=disqualify]")[0].ClickAsync(new());
        await desk.Dialogs.WaitForAssertionAsync(() => Assert.Contains("leaves both leaderboards", desk.Dialogs.Markup));
        await desk.Dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel").ClickAsync(new());
        await click;

        await using var check = await desk.OpenDbAsync();
        Assert.False(await check.Teams.AnyAsync(t => t.DisqualifiedAtUtc != null));
        Assert.False(await check.AuditLog.AnyAsync(a => a.Action == "team.disqualified"));
    }

    [Fact]
    public async Task Extra_submissions_are_granted_for_today_with_a_reason_kept_in_the_audit_log()
    {
        await using var desk = new Desk();
        await desk.OpenAsync();

        var lateJoiners = desk.Rows().Single(r => r.TextContent.Contains("Late Joiners"));
        var click = lateJoiners.QuerySelector("[data-testid=grant]")!.ClickAsync(new());
        await desk.Dialogs.WaitForAssertionAsync(() => Assert.Contains("may submit more times today", desk.Dialogs.Markup));
        // Without a reason nothing is granted and the dialog stays.
        await desk.Dialogs.Find("[data-testid=reason-confirm]").ClickAsync(new());
        Assert.Contains("Give a reason.", desk.Dialogs.Markup);
        await desk.Dialogs.Find(".mud-dialog textarea").ChangeAsync(new() { Value = "Lost two uploads to our outage" });
        await desk.Dialogs.Find("[data-testid=reason-confirm]").ClickAsync(new());
        await click;

        await using var check = await desk.OpenDbAsync();
        var team = await check.Teams.SingleAsync(t => t.Name == "Late Joiners");
        Assert.Equal(1, await check.DailyQuotas.Where(q => q.TeamId == team.Id).SumAsync(q => q.Granted));
        var entry = await check.AuditLog.SingleAsync(a => a.Action == "quota.granted");
        Assert.EndsWith(": Lost two uploads to our outage", entry.Detail);
    }
}
