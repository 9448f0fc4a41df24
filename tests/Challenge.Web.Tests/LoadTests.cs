using System.Security.Claims;
using System.Text;
using Challenge.Core;
using Challenge.Core.Accounts;
using Challenge.Core.ApiTokens;
using Challenge.Core.Challenges;
using Challenge.Core.Data;
using Challenge.Core.Tasks;
using Challenge.Core.Teams;
using Challenge.Web.Bench.Load;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Challenge.Web.Tests;

// The benchmark's load driver, bounded: 50 participants upload, poll and read the leaderboard for
// 20 s against real server processes on loopback: one node on SQLite, two clustered nodes sharing
// one PostgreSQL database and one data directory. Only correctness is asserted (nothing lost,
// nothing counted twice, no 5xx, every upload ends as intended); the figures are printed, never
// compared, since CI machines vary.
public abstract class LoadTests(ITestOutputHelper output)
{
    private const int Clients = 50;
    private const int Rows = 5_000;
    private static readonly string[] Classes = ["AnnualCrop", "Forest", "Highway", "River", "SeaLake"];

    protected abstract string Provider { get; }

    protected abstract int Nodes { get; }

    [DatabaseFact]
    public async Task Fifty_clients_for_twenty_seconds_lose_nothing_and_count_nothing_twice()
    {
        var directory = ChallengeWebFactory.NewDataDirectory();
        await using var database = await TestDatabase.CreateAsync(Provider);
        var settings = new Dictionary<string, string?> { ["Storage:DataDirectory"] = directory, ["Demo:Seed"] = "false" };
        foreach (var (key, value) in database.Settings())
        {
            settings[key] = value;
        }
        var (taskId, clients) = await PrepareAsync(directory, settings);

        LoadResult result;
        IReadOnlyList<string> apiProblems;
        var exited = false;
        var nodes = new List<ServerProcess>();
        try
        {
            for (var i = 0; i < Nodes; i++)
            {
                var node = ServerProcess.Start(directory, database);
                nodes.Add(node);
                await node.WaitUntilHealthyAsync();
            }
            var driver = new LoadDriver(new LoadOptions([.. nodes.Select(n => n.Address)], clients, "load", "classes", Rows, Classes,
                Duration: TimeSpan.FromSeconds(20), DrainTimeout: TimeSpan.FromSeconds(180)));
            result = await driver.RunAsync();
            apiProblems = await driver.VerifyThroughApiAsync(result);
            exited = nodes.Any(n => n.HasExited);
        }
        finally
        {
            foreach (var node in nodes)
            {
                node.Kill();
            }
        }
        output.WriteLine(LoadDriver.Describe(result, Clients, Nodes));

        var dbProblems = await VerifyDatabaseAsync(settings, directory, taskId, result);
        Assert.False(exited, "A server exited during the load.");
        Assert.True(result.Accepted.Count >= Clients, $"Only {result.Accepted.Count} uploads were accepted.");
        Assert.Equal(0, result.ServerErrors);
        Assert.Empty(result.Errors);
        Assert.Empty(result.Problems);
        Assert.Equal(result.Accepted.Count, result.FinalStatus.Count);
        Assert.Empty(apiProblems);
        Assert.Empty(dbProblems);
        Assert.Contains(result.Accepted, a => a.MeantToBeRejected);
    }

    private static async Task<IReadOnlyList<string>> VerifyDatabaseAsync(Dictionary<string, string?> settings, string directory, int taskId, LoadResult result)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddChallengeCore(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), directory);
        await using var provider = services.BuildServiceProvider();
        var problems = await LoadVerifier.VerifyDatabaseAsync(provider.GetRequiredService<IDbContextFactory<ChallengeDbContext>>(), taskId, result);
        SqliteConnection.ClearAllPools();
        return problems;
    }

    // The challenge, task, solution and participants through the real services in an in-process
    // app that is stopped before the server process starts, so one scheduler owns the database.
    private static async Task<(int TaskId, List<LoadClient> Clients)> PrepareAsync(string directory, Dictionary<string, string?> settings)
    {
        await using var factory = new ChallengeWebFactory(directory);
        var services = factory.WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        }).Services;
        var admin = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "admin"), new Claim(ClaimTypes.Role, Roles.Admin)], "test"));
        var challenge = (await services.GetRequiredService<CompetitionService>().CreateAsync(new CompetitionInput
        {
            Slug = "load", Title = "Load", StartsAtUtc = DateTime.UtcNow.AddDays(-1), EndsAtUtc = DateTime.UtcNow.AddDays(10), Published = true,
        }, admin)).Saved!;
        var dbFactory = services.GetRequiredService<IDbContextFactory<ChallengeDbContext>>();
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            // The load is about concurrency, not the daily quota (the per-minute upload limit stays).
            await db.Competitions.Where(c => c.Id == challenge.Id).ExecuteUpdateAsync(c => c.SetProperty(x => x.DailySubmissionLimit, 100_000));
        }
        var tasks = services.GetRequiredService<TaskService>();
        var task = (await tasks.SaveAsync(challenge.Id, null, new TaskInput { Slug = "classes", Title = "Classes", Metric = "accuracy" }, admin)).Saved!;
        var solution = new StringBuilder("Id,Category\n");
        for (var row = 0; row < Rows; row++)
        {
            solution.Append(row).Append(',').Append(Classes[(row * 7 + row / 3) % Classes.Length]).Append('\n');
        }
        Assert.True((await tasks.UploadSolutionAsync(task.Id, new MemoryStream(Encoding.UTF8.GetBytes(solution.ToString())), "solution.csv", admin)).Accepted);

        var clients = new List<LoadClient>();
        var teams = services.GetRequiredService<TeamService>();
        var tokens = services.GetRequiredService<ApiTokenService>();
        for (var i = 0; i < Clients; i++)
        {
            string userId;
            await using (var scope = services.CreateAsyncScope())
            {
                var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
                var user = new AppUser { UserName = $"load{i:D2}@example.org", Email = $"load{i:D2}@example.org", DisplayName = $"Load {i}", CreatedAtUtc = DateTime.UtcNow };
                Assert.True((await users.CreateAsync(user, "correct-horse-1")).Succeeded);
                userId = user.Id;
            }
            await teams.AcceptRulesAsync(challenge.Id, userId);
            var team = await teams.CreateAsync(challenge.Id, userId, $"Team {i:D2}");
            clients.Add(new LoadClient((await tokens.CreateAsync(userId, "load"))!.Secret, team.Team!.Name));
        }
        SqliteConnection.ClearAllPools();
        return (task.Id, clients);
    }
}

public sealed class LoadTestsOnSqlite(ITestOutputHelper output) : LoadTests(output)
{
    protected override string Provider => DatabaseProviders.Sqlite;

    protected override int Nodes => 1;
}

public sealed class LoadTestsOnPostgres(ITestOutputHelper output) : LoadTests(output), IPostgresTests
{
    protected override string Provider => DatabaseProviders.Postgres;

    protected override int Nodes => 2;
}
