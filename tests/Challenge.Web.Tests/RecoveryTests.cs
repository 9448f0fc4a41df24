using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Challenge.Core.Accounts;
using Challenge.Core.ApiTokens;
using Challenge.Core.Challenges;
using Challenge.Core.Data;
using Challenge.Core.Submissions;
using Challenge.Core.Tasks;
using Challenge.Core.Teams;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Challenge.Web.Tests;

// The server process is killed while it scores a submission; a new process on the same database
// must score that submission exactly once, with the quota unchanged.
public sealed class RecoveryTests
{
    private const int Rows = 3_000_000;
    private static readonly string[] Classes = ["AnnualCrop", "Forest", "Highway", "River", "SeaLake"];

    [Fact]
    public async Task A_submission_interrupted_by_a_killed_server_is_scored_exactly_once_after_restart()
    {
        var directory = ChallengeWebFactory.NewDataDirectory();
        var token = await PrepareAsync(directory);

        var first = ServerProcess.Start(directory);
        long id;
        try
        {
            await first.WaitUntilHealthyAsync();
            using var api = first.Client(token);
            var submitted = await api.PostAsync("/api/challenges/big/tasks/classes/submissions?fileName=big.csv", new StreamContent(Csv(solution: false)));
            Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
            id = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

            // Loading the 3-million-row solution and reading the file take seconds: kill in the middle.
            var status = "";
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (status != "scoring" && DateTime.UtcNow < deadline)
            {
                status = (await api.GetFromJsonAsync<JsonElement>($"/api/submissions/{id}")).GetProperty("status").GetString()!;
                Assert.True(status is "queued" or "scoring", $"The submission finished ({status}) before it could be interrupted.");
                await Task.Delay(10);
            }
            Assert.Equal("scoring", status);
        }
        finally
        {
            first.Kill();
        }

        await using (var db = Open(directory))
        {
            var interrupted = await db.Submissions.AsNoTracking().SingleAsync(s => s.Id == id);
            Assert.Equal(SubmissionStatus.Scoring, interrupted.Status);
        }

        var second = ServerProcess.Start(directory);
        try
        {
            await second.WaitUntilHealthyAsync();
            using var api = second.Client(token);
            var deadline = DateTime.UtcNow.AddSeconds(120);
            JsonElement submission;
            do
            {
                await Task.Delay(200);
                submission = await api.GetFromJsonAsync<JsonElement>($"/api/submissions/{id}");
            }
            while (submission.GetProperty("status").GetString() is "queued" or "scoring" && DateTime.UtcNow < deadline);

            Assert.Equal("scored", submission.GetProperty("status").GetString());
            Assert.Equal(1.0, submission.GetProperty("publicScore").GetDouble());
        }
        finally
        {
            second.Kill();
        }

        await using var check = Open(directory);
        var scored = await check.Submissions.AsNoTracking().SingleAsync();
        Assert.Equal(2, scored.ScoringAttempts);
        Assert.Equal(1, (await check.DailyQuotas.SingleAsync()).Used);
    }

    private static ChallengeDbContext Open(string directory) =>
        new(new DbContextOptionsBuilder<ChallengeDbContext>().UseSqlite($"Data Source={Path.Combine(directory, "challenge.db")};Pooling=False").Options);

    private static Stream Csv(bool solution)
    {
        var csv = new StringBuilder(solution ? "Id,Category,Usage\n" : "Id,Category\n", Rows * 20);
        for (var row = 0; row < Rows; row++)
        {
            csv.Append(row).Append(',').Append(Classes[row % Classes.Length]);
            if (solution)
            {
                csv.Append(row % 3 == 0 ? ",Public" : ",Private");
            }
            csv.Append('\n');
        }
        return new MemoryStream(Encoding.UTF8.GetBytes(csv.ToString()));
    }

    // Sets up the challenge through the real services in a host that is then stopped, and returns
    // a participant's API token.
    private static async Task<string> PrepareAsync(string directory)
    {
        await using var factory = new ChallengeWebFactory(directory);
        var services = factory.Services;
        var admin = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "admin"), new Claim(ClaimTypes.Role, Roles.Admin)], "test"));
        var challenge = (await services.GetRequiredService<CompetitionService>().CreateAsync(new CompetitionInput
        {
            Slug = "big", Title = "Big", StartsAtUtc = DateTime.UtcNow.AddDays(-1), EndsAtUtc = DateTime.UtcNow.AddDays(10), Published = true,
        }, admin)).Saved!;
        var task = (await services.GetRequiredService<TaskService>().SaveAsync(challenge.Id, null,
            new TaskInput { Slug = "classes", Title = "Classes", MaxSubmissionMegabytes = 200 }, admin)).Saved!;
        Assert.True((await services.GetRequiredService<TaskService>().UploadSolutionAsync(task.Id, Csv(solution: true), "solution.csv", admin)).Accepted);

        string userId;
        await using (var scope = services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            var user = new AppUser { UserName = "ada@example.org", Email = "ada@example.org", DisplayName = "Ada", CreatedAtUtc = DateTime.UtcNow };
            Assert.True((await users.CreateAsync(user, "correct-horse-1")).Succeeded);
            userId = user.Id;
        }
        var teams = services.GetRequiredService<TeamService>();
        await teams.AcceptRulesAsync(challenge.Id, userId);
        await teams.CreateAsync(challenge.Id, userId, "Abyssal");
        var token = (await services.GetRequiredService<ApiTokenService>().CreateAsync(userId, "recovery"))!.Secret;
        SqliteConnection.ClearAllPools();
        return token;
    }

    private sealed class ServerProcess
    {
        private readonly Process _process;
        private readonly Uri _address;

        private ServerProcess(Process process, Uri address)
        {
            _process = process;
            _address = address;
        }

        public static ServerProcess Start(string dataDirectory)
        {
            var port = FreePort();
            var webAssembly = typeof(Program).Assembly.Location;
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = Path.GetDirectoryName(webAssembly)!,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(webAssembly);
            start.ArgumentList.Add("--urls");
            start.ArgumentList.Add($"http://127.0.0.1:{port}");
            start.Environment["Storage__DataDirectory"] = dataDirectory;
            start.Environment["Demo__Seed"] = "false";
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
            var process = Process.Start(start)!;
            // Drain the output so the child never blocks on a full pipe.
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return new ServerProcess(process, new Uri($"http://127.0.0.1:{port}"));
        }

        public HttpClient Client(string token)
        {
            var client = new HttpClient { BaseAddress = _address, Timeout = TimeSpan.FromSeconds(60) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return client;
        }

        public async Task WaitUntilHealthyAsync()
        {
            using var client = new HttpClient { BaseAddress = _address, Timeout = TimeSpan.FromSeconds(5) };
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline)
            {
                Assert.False(_process.HasExited, $"The server exited with code {(_process.HasExited ? _process.ExitCode : 0)}.");
                try
                {
                    if ((await client.GetAsync("/health")).IsSuccessStatusCode)
                    {
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }
                await Task.Delay(200);
            }
            throw new TimeoutException("The server did not become healthy within 60 s.");
        }

        public void Kill()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
            _process.Dispose();
        }

        private static int FreePort()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            return port;
        }
    }
}
