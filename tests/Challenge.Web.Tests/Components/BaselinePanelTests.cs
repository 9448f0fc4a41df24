using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using Bunit;
using Challenge.Core.Accounts;
using Challenge.Core.Data;
using Challenge.Core.Files;
using Challenge.Core.Submissions;
using Challenge.Web.Components.Pages.Challenges.Manage;
using Challenge.Web.Tests.Baselines;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace Challenge.Web.Tests.Components;

// The Baselines panel of the Manage tab, with the app's real services and database behind it.
public sealed class BaselinePanelTests
{
    // A baseline whose predictions the scorer refused shows the refusal on the panel, as a
    // participant's rejected submission does, instead of a bare "failed".
    [Fact]
    public async Task A_baseline_whose_predictions_were_rejected_shows_the_reason_on_the_panel()
    {
        await using var site = await BaselineSite.StartAsync(trainCount: 30, testCount: 10);
        var run = await site.QueueAsync();
        using var worker = site.WorkerClient();
        var leaseId = (await BaselineSite.LeaseAsync(worker)).GetProperty("leaseId").GetString()!;
        var broken = new StringContent("Id,Category\n0,kelp-forest\n", Encoding.UTF8);
        broken.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        var upload = await worker.SendAsync(BaselineSite.WithLease(HttpMethod.Post, $"/api/workers/runs/{run.Id}/predictions", leaseId, broken));
        Assert.True(upload.IsSuccessStatusCode, await upload.Content.ReadAsStringAsync());
        var finished = await site.RunAsync(run.Id);
        var submission = await site.Site.WaitForScoringAsync(finished.SubmissionId!.Value);
        Assert.Equal(SubmissionStatus.Rejected, submission.Status);
        Assert.Contains("kelp-forest", submission.ErrorsJson);

        await using var scope = site.Factory.Services.CreateAsyncScope();
        await using var context = OrganizerContext(site, scope);
        var files = await FilesAsync(site);
        var panel = context.Render<BaselinePanel>(p => p
            .Add(c => c.Challenge, site.Site.Challenge)
            .Add(c => c.Tasks, [site.Site.Task])
            .Add(c => c.DataFiles, files));

        await panel.WaitForAssertionAsync(() =>
            Assert.Contains("kelp-forest", panel.Find($"[data-testid=baseline-run-{run.Id}] [data-testid=baseline-rejection]").TextContent),
            TimeSpan.FromSeconds(10));
    }

    // The app's real services behind the component, and the site's organizer signed in.
    private static BunitContext OrganizerContext(BaselineSite site, AsyncServiceScope scope)
    {
        var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        context.Services.AddFallbackServiceProvider(scope.ServiceProvider);
        var auth = context.AddAuthorization();
        auth.SetAuthorized(site.Site.Organizer.Email);
        auth.SetRoles(Roles.Organizer);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, site.Site.Organizer.UserId));
        return context;
    }

    private static async Task<List<DataFile>> FilesAsync(BaselineSite site)
    {
        await using var db = await site.Site.Get<IDbContextFactory<ChallengeDbContext>>().CreateDbContextAsync();
        return await db.DataFiles.AsNoTracking().Where(f => f.CompetitionId == site.Site.Challenge.Id).ToListAsync();
    }

    // The form starts each model from the epochs it was measured with (the CNN needs 14 for its 0.93).
    [Fact]
    public async Task Choosing_a_model_suggests_the_epochs_it_was_measured_with()
    {
        await using var site = await BaselineSite.StartAsync(trainCount: 30, testCount: 10);
        await using var scope = site.Factory.Services.CreateAsyncScope();
        await using var context = OrganizerContext(site, scope);
        var files = await FilesAsync(site);
        var panel = context.Render<BaselinePanel>(p => p
            .Add(c => c.Challenge, site.Site.Challenge)
            .Add(c => c.Tasks, [site.Site.Task])
            .Add(c => c.DataFiles, files));

        Assert.Equal("14", panel.Find("#baseline-epochs").GetAttribute("value"));
        panel.Find("#baseline-model").Change("softmax");
        Assert.Equal("10", panel.Find("#baseline-epochs").GetAttribute("value"));
        panel.Find("#baseline-model").Change("pseudo");
        Assert.Equal("30", panel.Find("#baseline-epochs").GetAttribute("value"));
    }
}
