using System.Net.Http.Json;
using System.Text.Json;
using Challenge.Web.Tests.Baselines;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Challenge.Web.Tests.Browser;

public sealed class BaselineBrowserTests(ITestOutputHelper output)
{
    // The organizer queues a run on the Manage tab; a worker's lease and progress reports show up
    // on the open page without a reload (status, progress bar, loss curve, log), and cancelling
    // there reaches the worker on its next report.
    [BrowserFact]
    public async Task An_organizer_queues_a_baseline_watches_it_progress_live_and_cancels_it()
    {
        await using var site = await BaselineSite.StartAsync(trainCount: 30, testCount: 10, configure: f =>
        {
            f.UseKestrel(0);
            f.StartServer();
        });
        await using var session = await BrowserSession.AttachAsync(site.Factory, output);
        var page = await session.NewPageAsync();
        await page.GotoAsync("/account/login");
        await page.FillAsync("#email", site.Site.Organizer.Email);
        await page.FillAsync("#password", "correct-horse-1");
        await page.GetByTestId("login-submit").ClickAsync();
        await Expect(page.GetByTestId("user-name")).ToHaveTextAsync(site.Site.Organizer.Email.Split('@')[0]);

        await page.GotoAsync($"/challenges/{CompetitionSite.Slug}/manage");
        await BrowserSession.WaitForInteractivityAsync(page);
        await Expect(page.GetByTestId("baseline-runs-empty")).ToBeVisibleAsync();
        await page.SelectOptionAsync("#baseline-model", "softmax");
        await page.FillAsync("#baseline-epochs", "3");
        await page.SelectOptionAsync("#baseline-train", new SelectOptionValue { Label = "train-images-idx3-ubyte" });
        await page.SelectOptionAsync("#baseline-test", new SelectOptionValue { Label = "test-images-idx3-ubyte" });
        await page.GetByTestId("run-baseline").ClickAsync();
        var status = page.GetByTestId("baseline-runs").GetByTestId("baseline-status");
        await Expect(status).ToHaveTextAsync("queued");

        using var worker = site.WorkerClient();
        var lease = await BaselineSite.LeaseAsync(worker);
        var runId = lease.GetProperty("runId").GetInt64();
        var leaseId = lease.GetProperty("leaseId").GetString()!;
        var report = await worker.SendAsync(BaselineSite.WithLease(HttpMethod.Post, $"/api/workers/runs/{runId}/report", leaseId, JsonContent.Create(new
        {
            progress = new[] { Progress(1, 5, 1.05), Progress(1, 10, 0.8, 0.6), Progress(2, 5, 0.61) },
            log = new[] { "device: cpu (2 threads)", "data: 30 training images (3 classes), 10 test images, 8x8x1" },
        })));
        Assert.True(report.IsSuccessStatusCode, await report.Content.ReadAsStringAsync());

        await Expect(status).ToHaveTextAsync("running");
        await Expect(page.Locator("[data-testid=baseline-runs] .mud-progress-linear")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("loss-curve")).ToBeVisibleAsync();
        // Loss and accuracy differ in range: accuracy is measured on its own axis on the right.
        await Expect(page.GetByTestId("loss-curve").Locator(".y-axis.right .tick-text").First).ToBeVisibleAsync();
        await Expect(page.GetByTestId("baseline-log")).ToContainTextAsync("data: 30 training images");

        await page.GetByTestId("cancel-baseline").ClickAsync();
        await Expect(status).ToHaveTextAsync("cancelled");
        var answer = await worker.SendAsync(BaselineSite.WithLease(HttpMethod.Post, $"/api/workers/runs/{runId}/report", leaseId,
            JsonContent.Create(new { progress = Array.Empty<object>(), log = Array.Empty<string>() })));
        Assert.True((await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("cancelled").GetBoolean());
    }

    private static object Progress(int epoch, int batch, double loss, double? accuracy = null) => new
    {
        stage = "softmax", epoch, epochs = 3, batch, batches = 10, loss, validationAccuracy = accuracy, examplesPerSecond = 900.0, etaSeconds = 20.0, device = "cpu (2 threads)",
    };
}
