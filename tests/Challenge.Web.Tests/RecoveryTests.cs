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
public abstract class RecoveryTests(string provider)
{
    private const int Rows = 3_000_000;
    private static readonly string[] Classes = ["AnnualCrop", "Forest", "Highway", "River", "SeaLake"];

    [DatabaseFact]
    public async Task A_submission_interrupted_by_a_killed_server_is_scored_exactly_once_after_restart()
    {
        var directory = ChallengeWebFactory.NewDataDirectory();
        await using var database = await TestDatabase.CreateAsync(provider);
        var token = (await PrepareAsync(directory, database, 5, "ada"))[0];

        var first = ServerProcess.Start(directory, database);
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

        await using (var db = database.Open(directory))
        {
            var interrupted = await db.Submissions.AsNoTracking().SingleAsync(s => s.Id == id);
            Assert.Equal(SubmissionStatus.Scoring, interrupted.Status);
        }

        var second = ServerProcess.Start(directory, database);
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

        await using var check = database.Open(directory);
        var scored = await check.Submissions.AsNoTracking().SingleAsync();
        Assert.Equal(2, scored.ScoringAttempts);
        Assert.Equal(1, (await check.DailyQuotas.SingleAsync()).Used);
    }

    internal static Stream Csv(bool solution)
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
    // one API token per participant, each in a team of their own.
    internal static async Task<IReadOnlyList<string>> PrepareAsync(string directory, TestDatabase database, int dailyLimit, params string[] participants)
    {
        await using var factory = new ChallengeWebFactory(directory, database: database);
        var services = factory.Services;
        var admin = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "admin"), new Claim(ClaimTypes.Role, Roles.Admin)], "test"));
        var challenge = (await services.GetRequiredService<CompetitionService>().CreateAsync(new CompetitionInput
        {
            Slug = "big", Title = "Big", StartsAtUtc = DateTime.UtcNow.AddDays(-1), EndsAtUtc = DateTime.UtcNow.AddDays(10), Published = true,
            DailySubmissionLimit = dailyLimit,
        }, admin)).Saved!;
        var task = (await services.GetRequiredService<TaskService>().SaveAsync(challenge.Id, null,
            new TaskInput { Slug = "classes", Title = "Classes", MaxSubmissionMegabytes = 200 }, admin)).Saved!;
        Assert.True((await services.GetRequiredService<TaskService>().UploadSolutionAsync(task.Id, Csv(solution: true), "solution.csv", admin)).Accepted);

        var tokens = new List<string>();
        foreach (var name in participants)
        {
            string userId;
            await using (var scope = services.CreateAsyncScope())
            {
                var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
                var user = new AppUser { UserName = $"{name}@example.org", Email = $"{name}@example.org", DisplayName = name, CreatedAtUtc = DateTime.UtcNow };
                Assert.True((await users.CreateAsync(user, "correct-horse-1")).Succeeded);
                userId = user.Id;
            }
            var teams = services.GetRequiredService<TeamService>();
            await teams.AcceptRulesAsync(challenge.Id, userId);
            await teams.CreateAsync(challenge.Id, userId, $"Team {name}");
            tokens.Add((await services.GetRequiredService<ApiTokenService>().CreateAsync(userId, "recovery"))!.Secret);
        }
        SqliteConnection.ClearAllPools();
        return tokens;
    }
}

public sealed class RecoveryTestsOnSqlite() : RecoveryTests(DatabaseProviders.Sqlite);

public sealed class RecoveryTestsOnPostgres() : RecoveryTests(DatabaseProviders.Postgres), IPostgresTests;
