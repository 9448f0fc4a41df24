using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Challenge.Core.Baselines;
using Challenge.Core.Data;
using Challenge.Core.Submissions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Challenge.Web.Tests.Baselines;

// The worker protocol over the real HTTP pipeline, without a worker process.
public sealed class WorkerApiTests
{
    [Fact]
    public async Task Parallel_leases_of_one_run_give_exactly_one_winner()
    {
        await using var site = await BaselineSite.StartAsync(trainCount: 30, testCount: 10);
        var run = await site.QueueAsync();
        var second = (await site.Site.Get<BaselineService>().CreateWorkerAsync("second", site.Site.Organizer.Principal))!.Secret;
        var clients = Enumerable.Range(0, 12).Select(i => site.WorkerClient(i % 2 == 0 ? site.WorkerToken : second)).ToList();

        var responses = await Task.WhenAll(clients.Select(c => c.PostAsJsonAsync("/api/workers/lease", new { cuda = false })));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal(11, responses.Count(r => r.StatusCode == HttpStatusCode.NoContent));
        var stored = await site.RunAsync(run.Id);
        Assert.Equal(BaselineRunStatus.Running, stored.Status);
        Assert.Equal(1, stored.Attempts);
    }

    [Fact]
    public async Task Worker_tokens_reach_only_worker_routes_and_user_tokens_never_reach_them()
    {
        await using var site = await BaselineSite.StartAsync(trainCount: 30, testCount: 10);
        await site.QueueAsync();

        // A participant's and even the organizer's personal token cannot lease.
        Assert.Equal(HttpStatusCode.Unauthorized, (await site.Site.Ada.Api.PostAsJsonAsync("/api/workers/lease", new { cuda = false })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await site.Site.Organizer.Api.PostAsJsonAsync("/api/workers/register", new { })).StatusCode);
        // Nor can a signed-in browser session.
        Assert.Equal(HttpStatusCode.Unauthorized, (await site.Site.Organizer.Browser.PostAsJsonAsync("/api/workers/lease", new { cuda = false })).StatusCode);

        // A worker token cannot submit, read the organizer's runs or export submissions.
        using var worker = site.WorkerClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await worker.PostAsync($"/api/challenges/{CompetitionSite.Slug}/tasks/{CompetitionSite.TaskSlug}/submissions?fileName=a.csv", new StringContent("Id,Category\n"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await worker.GetAsync($"/api/challenges/{CompetitionSite.Slug}/baselines")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await worker.GetAsync($"/api/challenges/{CompetitionSite.Slug}/submissions.csv")).StatusCode);

        // A revoked worker token is refused.
        var workers = await site.Site.Get<BaselineService>().ListWorkersAsync(site.Site.Organizer.Principal);
        Assert.True(await site.Site.Get<BaselineService>().RevokeWorkerAsync(workers.Single().Id, site.Site.Organizer.Principal));
        Assert.Equal(HttpStatusCode.Unauthorized, (await worker.PostAsJsonAsync("/api/workers/lease", new { cuda = false })).StatusCode);
    }

    [Fact]
    public async Task Participants_cannot_see_queue_or_cancel_runs_and_an_organizers_worker_serves_only_their_challenges()
    {
        await using var site = await BaselineSite.StartAsync(trainCount: 30, testCount: 10);
        var run = await site.QueueAsync();
        var ada = site.Site.Ada.Api;

        Assert.Equal(HttpStatusCode.NotFound, (await ada.GetAsync($"/api/challenges/{CompetitionSite.Slug}/baselines")).StatusCode);
        var queue = await ada.PostAsJsonAsync($"/api/challenges/{CompetitionSite.Slug}/baselines",
            new { task = CompetitionSite.TaskSlug, model = "cnn", epochs = 1, trainFile = "train-images-idx3-ubyte", testFile = "test-images-idx3-ubyte" });
        Assert.Equal(HttpStatusCode.NotFound, queue.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ada.PostAsync($"/api/baselines/{run.Id}/cancel", null)).StatusCode);
        Assert.Equal(BaselineRunStatus.Queued, (await site.RunAsync(run.Id)).Status);

        // Another organizer's worker does not see this challenge's run.
        var other = await site.Site.AccountAsync("otto");
        await using (var scope = site.Factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Challenge.Core.Accounts.AppUser>>();
            await users.AddToRoleAsync((await users.FindByIdAsync(other.UserId))!, Challenge.Core.Accounts.Roles.Organizer);
        }
        var organizerPrincipal = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
            [new(System.Security.Claims.ClaimTypes.NameIdentifier, other.UserId), new(System.Security.Claims.ClaimTypes.Role, Challenge.Core.Accounts.Roles.Organizer)], "test"));
        var foreign = (await site.Site.Get<BaselineService>().CreateWorkerAsync("foreign", organizerPrincipal))!.Secret;
        using var foreignWorker = site.WorkerClient(foreign);
        Assert.Equal(HttpStatusCode.NoContent, (await foreignWorker.PostAsJsonAsync("/api/workers/lease", new { cuda = false })).StatusCode);

        // The organizer's own worker does.
        using var worker = site.WorkerClient();
        Assert.Equal(HttpStatusCode.OK, (await worker.PostAsJsonAsync("/api/workers/lease", new { cuda = false })).StatusCode);
    }

    [Fact]
    public async Task A_run_that_asks_for_cuda_goes_only_to_a_worker_with_cuda()
    {
        await using var site = await BaselineSite.StartAsync(trainCount: 30, testCount: 10);
        await site.QueueAsync(device: BaselineDevice.Cuda);
        using var worker = site.WorkerClient();

        Assert.Equal(HttpStatusCode.NoContent, (await worker.PostAsJsonAsync("/api/workers/lease", new { cuda = false })).StatusCode);
        var lease = await worker.PostAsJsonAsync("/api/workers/lease", new { cuda = true });
        Assert.Equal(HttpStatusCode.OK, lease.StatusCode);
        Assert.Equal("cuda", (await lease.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("device").GetString());
    }

    [Fact]
    public async Task Progress_is_validated_with_a_message_naming_the_field_and_a_refused_report_changes_nothing()
    {
        await using var site = await BaselineSite.StartAsync(trainCount: 30, testCount: 10);
        var run = await site.QueueAsync();
        using var worker = site.WorkerClient();
        var lease = await BaselineSite.LeaseAsync(worker);
        var leaseId = lease.GetProperty("leaseId").GetString()!;
        var path = $"/api/workers/runs/{run.Id}/report";

        async Task<(HttpStatusCode Status, string Body)> ReportAsync(object body)
        {
            var response = await worker.SendAsync(BaselineSite.WithLease(HttpMethod.Post, path, leaseId, JsonContent.Create(body)));
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        var negativeLoss = await ReportAsync(new { progress = new[] { Progress(loss: -1) }, log = Array.Empty<string>() });
        Assert.Equal(HttpStatusCode.BadRequest, negativeLoss.Status);
        Assert.Contains("progress[0].loss", negativeLoss.Body);

        var badEpoch = await ReportAsync(new { progress = new[] { Progress(), Progress(epoch: 9, epochs: 5) }, log = Array.Empty<string>() });
        Assert.Equal(HttpStatusCode.BadRequest, badEpoch.Status);
        Assert.Contains("progress[1].epoch", badEpoch.Body);

        var badAccuracy = await ReportAsync(new { progress = new[] { Progress(accuracy: 1.5) }, log = Array.Empty<string>() });
        Assert.Equal(HttpStatusCode.BadRequest, badAccuracy.Status);
        Assert.Contains("progress[0].validationAccuracy", badAccuracy.Body);

        var longLine = await ReportAsync(new { progress = Array.Empty<object>(), log = new[] { "ok", new string('x', 5_000) } });
        Assert.Equal(HttpStatusCode.BadRequest, longLine.Status);
        Assert.Contains("log[1]", longLine.Body);

        var unchanged = await site.RunAsync(run.Id);
        Assert.Null(unchanged.Loss);
        Assert.Equal("[]", unchanged.LossCurveJson);

        var good = await ReportAsync(new { progress = new[] { Progress(batch: 5), Progress(batch: 10, accuracy: 0.75) }, log = new[] { "device: cpu" } });
        Assert.Equal(HttpStatusCode.OK, good.Status);
        var stored = await site.RunAsync(run.Id);
        Assert.Equal(0.5, stored.Loss);
        Assert.Equal(0.75, stored.ValidationAccuracy);
        Assert.Equal("cpu (2 threads)", stored.DeviceUsed);
        Assert.Equal(2, BaselineQueue.ReadCurve(stored.LossCurveJson).Count);
        Assert.Contains("device: cpu", stored.Log);

        // Without the lease header nothing is accepted.
        Assert.Equal(HttpStatusCode.BadRequest, (await worker.PostAsJsonAsync(path, new { progress = Array.Empty<object>() })).StatusCode);
    }

    [Fact]
    public async Task Cancelling_a_running_run_tells_its_worker_on_the_next_report_and_refuses_its_predictions()
    {
        await using var site = await BaselineSite.StartAsync(trainCount: 30, testCount: 10);
        var run = await site.QueueAsync();
        using var worker = site.WorkerClient();
        var leaseId = (await BaselineSite.LeaseAsync(worker)).GetProperty("leaseId").GetString()!;

        var cancel = await site.Site.Organizer.Api.PostAsync($"/api/baselines/{run.Id}/cancel", null);
        Assert.Equal(HttpStatusCode.NoContent, cancel.StatusCode);

        var report = await worker.SendAsync(BaselineSite.WithLease(HttpMethod.Post, $"/api/workers/runs/{run.Id}/report", leaseId,
            JsonContent.Create(new { progress = new[] { Progress() }, log = Array.Empty<string>() })));
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        Assert.True((await report.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("cancelled").GetBoolean());

        var upload = await worker.SendAsync(BaselineSite.WithLease(HttpMethod.Post, $"/api/workers/runs/{run.Id}/predictions", leaseId, new StringContent("Id,Category\n0,1\n")));
        Assert.Equal(HttpStatusCode.Conflict, upload.StatusCode);
        Assert.Equal(BaselineRunStatus.Cancelled, (await site.RunAsync(run.Id)).Status);
        await using var db = await site.Site.Get<IDbContextFactory<ChallengeDbContext>>().CreateDbContextAsync();
        Assert.False(await db.Submissions.AnyAsync(s => s.IsBaseline));

        // A second cancel says it is over.
        Assert.Equal(HttpStatusCode.Conflict, (await site.Site.Organizer.Api.PostAsync($"/api/baselines/{run.Id}/cancel", null)).StatusCode);
    }

    [Fact]
    public async Task An_expired_lease_returns_the_run_to_the_queue_the_old_lease_is_refused_and_too_many_attempts_fail_the_run()
    {
        await using var site = await BaselineSite.StartAsync(trainCount: 30, testCount: 10, configure: f => f.Settings["Baselines:MaxAttempts"] = "2");
        var run = await site.QueueAsync();
        var queue = site.Site.Get<BaselineQueue>();
        using var worker = site.WorkerClient();

        var first = (await BaselineSite.LeaseAsync(worker)).GetProperty("leaseId").GetString()!;
        await ExpireAsync(site, run.Id);
        Assert.Equal(1, await queue.RequeueExpiredAsync());
        var requeued = await site.RunAsync(run.Id);
        Assert.Equal(BaselineRunStatus.Queued, requeued.Status);
        Assert.Contains("back in the queue", requeued.Log);

        var stale = await worker.SendAsync(BaselineSite.WithLease(HttpMethod.Post, $"/api/workers/runs/{run.Id}/report", first,
            JsonContent.Create(new { progress = Array.Empty<object>(), log = Array.Empty<string>() })));
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);

        var second = (await BaselineSite.LeaseAsync(worker)).GetProperty("leaseId").GetString()!;
        Assert.NotEqual(first, second);
        Assert.Equal(2, (await site.RunAsync(run.Id)).Attempts);
        await ExpireAsync(site, run.Id);
        await queue.RequeueExpiredAsync();
        var failed = await site.RunAsync(run.Id);
        Assert.Equal(BaselineRunStatus.Failed, failed.Status);
        Assert.Contains("2 times", failed.Message);
        Assert.Equal(HttpStatusCode.NoContent, (await worker.PostAsJsonAsync("/api/workers/lease", new { cuda = false })).StatusCode);
    }

    [Fact]
    public async Task A_released_run_goes_back_to_the_queue_without_using_an_attempt()
    {
        await using var site = await BaselineSite.StartAsync(trainCount: 30, testCount: 10);
        var run = await site.QueueAsync();
        using var worker = site.WorkerClient();
        var leaseId = (await BaselineSite.LeaseAsync(worker)).GetProperty("leaseId").GetString()!;

        var release = await worker.SendAsync(BaselineSite.WithLease(HttpMethod.Post, $"/api/workers/runs/{run.Id}/release", leaseId));
        Assert.Equal(HttpStatusCode.NoContent, release.StatusCode);
        var stored = await site.RunAsync(run.Id);
        Assert.Equal(BaselineRunStatus.Queued, stored.Status);
        Assert.Equal(0, stored.Attempts);
    }

    [Fact]
    public async Task A_worker_downloads_only_its_runs_files_and_its_predictions_become_a_scored_baseline_row()
    {
        await using var site = await BaselineSite.StartAsync(trainCount: 30, testCount: 10);
        var run = await site.QueueAsync();
        using var worker = site.WorkerClient();
        var lease = await BaselineSite.LeaseAsync(worker);
        var leaseId = lease.GetProperty("leaseId").GetString()!;
        var files = lease.GetProperty("files").EnumerateArray().ToList();
        Assert.Equal(new[] { "train", "test", "labels" }, files.Select(f => f.GetProperty("role").GetString()!).ToArray());
        Assert.Equal("train-labels-idx1-ubyte", files[2].GetProperty("fileName").GetString());

        var url = files[0].GetProperty("url").GetString()!;
        var download = await worker.SendAsync(BaselineSite.WithLease(HttpMethod.Get, url, leaseId));
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(files[0].GetProperty("length").GetInt64(), (await download.Content.ReadAsByteArrayAsync()).Length);
        Assert.Equal(HttpStatusCode.NotFound, (await worker.SendAsync(BaselineSite.WithLease(HttpMethod.Get, url, "not-the-lease"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await worker.SendAsync(BaselineSite.WithLease(HttpMethod.Get, $"/api/workers/runs/{run.Id}/files/999999", leaseId))).StatusCode);

        // Predict class 0 everywhere: a valid file whose score is the share of class 0.
        var csv = new StringBuilder("Id,Category\n");
        for (var i = 0; i < site.TestCount; i++)
        {
            csv.Append($"{i},0\n");
        }
        var upload = await worker.SendAsync(BaselineSite.WithLease(HttpMethod.Post, $"/api/workers/runs/{run.Id}/predictions?fileName=p.csv", leaseId, new StringContent(csv.ToString())));
        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        var submissionId = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("submissionId").GetInt64();
        var scored = await site.Site.WaitForScoringAsync(submissionId);
        Assert.Equal(SubmissionStatus.Scored, scored.Status);
        Assert.True(scored.IsBaseline);
        Assert.Equal(BaselineRunStatus.Succeeded, (await site.RunAsync(run.Id)).Status);

        // A second upload on the finished lease is refused.
        var again = await worker.SendAsync(BaselineSite.WithLease(HttpMethod.Post, $"/api/workers/runs/{run.Id}/predictions", leaseId, new StringContent(csv.ToString())));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        var board = await site.Site.Ada.Api.GetFromJsonAsync<JsonElement>($"/api/challenges/{CompetitionSite.Slug}/leaderboard");
        var row = board.GetProperty("entries").EnumerateArray().Single(e => e.GetProperty("team").GetString() == "Baseline: softmax");
        Assert.True(row.GetProperty("isBaseline").GetBoolean());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("rank").ValueKind);
        Assert.Equal(scored.PublicScore, row.GetProperty("score").GetDouble());

        var runs = await site.Site.Organizer.Api.GetFromJsonAsync<JsonElement>($"/api/challenges/{CompetitionSite.Slug}/baselines");
        var listed = runs.EnumerateArray().Single();
        Assert.Equal("succeeded", listed.GetProperty("status").GetString());
        Assert.Equal(scored.PublicScore, listed.GetProperty("publicScore").GetDouble());
    }

    [Fact]
    public async Task The_worker_and_baseline_routes_are_in_the_openapi_document()
    {
        await using var site = await BaselineSite.StartAsync(trainCount: 30, testCount: 10);
        var document = await site.Factory.CreateClient().GetStringAsync("/openapi/v1.json");
        foreach (var path in new[] { "/api/workers/register", "/api/workers/lease", "/api/workers/runs/{id}/report", "/api/workers/runs/{id}/predictions", "/api/challenges/{slug}/baselines", "/api/baselines/{id}/cancel" })
        {
            Assert.Contains($"\"{path}\"", document);
        }
    }

    [Fact]
    public async Task Queueing_a_run_through_the_api_names_each_wrong_field()
    {
        await using var site = await BaselineSite.StartAsync(trainCount: 30, testCount: 10);
        var response = await site.Site.Organizer.Api.PostAsJsonAsync($"/api/challenges/{CompetitionSite.Slug}/baselines",
            new { task = CompetitionSite.TaskSlug, model = "resnet", epochs = 0, trainFile = "train-images-idx3-ubyte", testFile = "nope.npy" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("nope.npy", body);

        response = await site.Site.Organizer.Api.PostAsJsonAsync($"/api/challenges/{CompetitionSite.Slug}/baselines",
            new { task = CompetitionSite.TaskSlug, model = "resnet", epochs = 0, trainFile = "train-images-idx3-ubyte", testFile = "test-images-idx3-ubyte" });
        body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"model\"", body);
        Assert.Contains("\"epochs\"", body);

        response = await site.Site.Organizer.Api.PostAsJsonAsync($"/api/challenges/{CompetitionSite.Slug}/baselines",
            new { task = CompetitionSite.TaskSlug, model = "cnn", epochs = 3, device = "cuda", trainFile = "train-images-idx3-ubyte", testFile = "test-images-idx3-ubyte" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("queued", created.GetProperty("status").GetString());
        Assert.Equal("cuda", created.GetProperty("device").GetString());
    }

    private static object Progress(int epoch = 1, int epochs = 5, int batch = 10, double loss = 0.5, double? accuracy = null) => new
    {
        stage = "softmax", epoch, epochs, batch, batches = 10, loss, validationAccuracy = accuracy, examplesPerSecond = 1000.0, etaSeconds = 12.0, device = "cpu (2 threads)",
    };

    private static async Task ExpireAsync(BaselineSite site, long runId)
    {
        await using var db = await site.Site.Get<IDbContextFactory<ChallengeDbContext>>().CreateDbContextAsync();
        var past = DateTime.UtcNow.AddMinutes(-1);
        await db.BaselineRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(r => r.SetProperty(x => x.LeaseExpiresAtUtc, past));
    }
}
