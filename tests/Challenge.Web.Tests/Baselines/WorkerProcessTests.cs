using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Security.Claims;
using Challenge.Core.Accounts;
using Challenge.Core.Baselines;
using Challenge.Core.Demo;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Challenge.Core.Submissions;

namespace Challenge.Web.Tests.Baselines;

// The server listens on a loopback port and the worker runs as its own process, as on a GPU
// machine, so that it can be killed in the middle of a run.
public sealed class WorkerProcessTests
{
    [Fact]
    public async Task A_worker_process_leases_a_run_trains_and_its_baseline_row_appears_on_the_leaderboard()
    {
        var port = FreePort();
        await using var site = await BaselineSite.StartAsync(trainCount: 600, testCount: 90, configure: f => Listen(f, port));
        var run = await site.QueueAsync("softmax", epochs: 20);

        using var worker = WorkerProcess.Start(port, site.WorkerToken, "--once");
        Assert.True(await worker.WaitForExitAsync(TimeSpan.FromMinutes(3)), $"The worker did not finish.\n{worker.Output}");
        Assert.True(worker.ExitCode == 0, $"The worker exited with {worker.ExitCode}.\n{worker.Output}");

        var finished = await site.RunAsync(run.Id);
        Assert.Equal(BaselineRunStatus.Succeeded, finished.Status);
        Assert.StartsWith("cpu", finished.DeviceUsed);
        Assert.True(BaselineQueue.ReadCurve(finished.LossCurveJson).Count >= 2, finished.LossCurveJson);
        Assert.NotNull(finished.ValidationAccuracy);
        Assert.Contains("data: 600 training images (3 classes)", finished.Log);
        var submission = await site.Site.WaitForScoringAsync(finished.SubmissionId!.Value);
        Assert.Equal(SubmissionStatus.Scored, submission.Status);

        using var anonymous = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var board = await anonymous.GetFromJsonAsync<JsonElement>($"/api/challenges/{CompetitionSite.Slug}/leaderboard");
        var row = board.GetProperty("entries").EnumerateArray().Single(e => e.GetProperty("isBaseline").GetBoolean());
        Assert.Equal("Baseline: softmax", row.GetProperty("team").GetString());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("rank").ValueKind);
        // Three separable classes: far above the third that guessing gets.
        Assert.True(row.GetProperty("score").GetDouble() >= 0.8, $"score {row.GetProperty("score").GetDouble()}\n{finished.Log}");
    }

    [Fact]
    public async Task Killing_the_worker_mid_training_returns_the_run_to_the_queue_and_another_worker_completes_it()
    {
        var port = FreePort();
        await using var site = await BaselineSite.StartAsync(trainCount: 1500, testCount: 90, size: 12, configure: f =>
        {
            f.Settings["Baselines:LeaseSeconds"] = "4";
            Listen(f, port);
        });
        var run = await site.QueueAsync("cnn", epochs: 12);

        var first = WorkerProcess.Start(port, site.WorkerToken, "--once");
        try
        {
            await site.WaitForRunAsync(run.Id, r => r.Status == BaselineRunStatus.Running && r.Stage is not null, TimeSpan.FromMinutes(2), "reported training progress");
        }
        finally
        {
            first.Kill();
        }
        var killed = await site.RunAsync(run.Id);
        Assert.True(killed.Status == BaselineRunStatus.Running, $"The run finished before the worker was killed: {killed.Status}.\n{first.Output}");
        first.Dispose();

        var requeued = await site.WaitForRunAsync(run.Id, r => r.Status == BaselineRunStatus.Queued, TimeSpan.FromMinutes(1), "went back to the queue");
        Assert.Equal(1, requeued.Attempts);
        Assert.Contains("the worker stopped reporting", requeued.Log);

        using var second = WorkerProcess.Start(port, site.WorkerToken, "--once");
        Assert.True(await second.WaitForExitAsync(TimeSpan.FromMinutes(4)), $"The second worker did not finish.\n{second.Output}");
        Assert.True(second.ExitCode == 0, $"The second worker exited with {second.ExitCode}.\n{second.Output}");
        var finished = await site.RunAsync(run.Id);
        Assert.Equal(BaselineRunStatus.Succeeded, finished.Status);
        Assert.Equal(2, finished.Attempts);
        var submission = await site.Site.WaitForScoringAsync(finished.SubmissionId!.Value);
        Assert.Equal(SubmissionStatus.Scored, submission.Status);
        Assert.True(submission.IsBaseline);
    }

    // The demo's first queued run (softmax on the land-cover tiles) is taken by a real worker process:
    // the generated zips are what the training engine reads, and its row reaches the leaderboard.
    [Fact]
    public async Task A_worker_process_completes_the_first_demo_baseline_from_the_generated_files()
    {
        var port = FreePort();
        await using var factory = new ChallengeWebFactory(seedDemo: true);
        Listen(factory, port);
        var dbFactory = factory.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<Challenge.Core.Data.ChallengeDbContext>>();
        string organizerId;
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            organizerId = (await db.Competitions.SingleAsync(c => c.Slug == DemoSeeder.DemoSlug)).OwnerId!;
        }
        var admin = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Role, Roles.Admin), new Claim(ClaimTypes.NameIdentifier, organizerId)], "test"));
        var token = (await factory.Services.GetRequiredService<BaselineService>().CreateWorkerAsync("demo-worker", admin))!.Secret;

        using var worker = WorkerProcess.Start(port, token, "--once");
        Assert.True(await worker.WaitForExitAsync(TimeSpan.FromMinutes(3)), $"The worker did not finish.\n{worker.Output}");
        Assert.True(worker.ExitCode == 0, $"The worker exited with {worker.ExitCode}.\n{worker.Output}");

        BaselineRun finished;
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            finished = await db.BaselineRuns.AsNoTracking().SingleAsync(r => r.Status != BaselineRunStatus.Queued);
        }
        Assert.True(finished.Status == BaselineRunStatus.Succeeded, finished.Log);
        Assert.Equal("softmax", finished.Model);
        using var anonymous = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        JsonElement row;
        do
        {
            var board = await anonymous.GetFromJsonAsync<JsonElement>($"/api/challenges/{DemoSeeder.DemoSlug}/leaderboard");
            row = board.GetProperty("entries").EnumerateArray().FirstOrDefault(e => e.GetProperty("isBaseline").GetBoolean());
            if (row.ValueKind == JsonValueKind.Undefined)
            {
                Assert.True(DateTime.UtcNow < deadline, "No baseline row on the demo leaderboard after 60 s.");
                await Task.Delay(200);
            }
        }
        while (row.ValueKind == JsonValueKind.Undefined);
        Assert.Equal("Baseline: softmax", row.GetProperty("team").GetString());
    }

    private static void Listen(ChallengeWebFactory factory, int port)
    {
        factory.UseKestrel(port);
        factory.StartServer();
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private sealed class WorkerProcess : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();
        private readonly string _cache;

        private WorkerProcess(Process process, string cache)
        {
            _process = process;
            _cache = cache;
        }

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public int ExitCode => _process.ExitCode;

        // The worker's build output is copied beside the tests by the project reference;
        // CHALLENGE_TEST_WORKER names another build to test instead, e.g. the trimmed self-contained one.
        public static WorkerProcess Start(int port, string token, params string[] extra)
        {
            var cache = Path.Combine(Path.GetTempPath(), "challenge-worker-tests", Guid.NewGuid().ToString("N"));
            var published = Environment.GetEnvironmentVariable("CHALLENGE_TEST_WORKER");
            var start = new ProcessStartInfo(string.IsNullOrEmpty(published) ? "dotnet" : published)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            if (string.IsNullOrEmpty(published))
            {
                start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "challenge-worker.dll"));
            }
            foreach (var argument in new[] { "work", "--server", $"http://127.0.0.1:{port}", "--cache", cache, "--poll", "0.5", "--device", "cpu", "--name", "test-machine" }.Concat(extra))
            {
                start.ArgumentList.Add(argument);
            }
            // The token travels in the environment, as the README advises, not on the command line.
            start.Environment["CHALLENGE_WORKER_TOKEN"] = token;
            var process = Process.Start(start)!;
            var worker = new WorkerProcess(process, cache);
            process.OutputDataReceived += (_, e) => worker.Append(e.Data);
            process.ErrorDataReceived += (_, e) => worker.Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return worker;
        }

        public async Task<bool> WaitForExitAsync(TimeSpan timeout)
        {
            using var cancellation = new CancellationTokenSource(timeout);
            try
            {
                await _process.WaitForExitAsync(cancellation.Token);
                return true;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        public void Kill()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
        }

        public void Dispose()
        {
            Kill();
            _process.Dispose();
            try
            {
                Directory.Delete(_cache, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temporary folder harms nothing.
            }
        }

        private void Append(string? line)
        {
            if (line is null)
            {
                return;
            }
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
