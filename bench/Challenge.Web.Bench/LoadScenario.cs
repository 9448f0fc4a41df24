using System.Diagnostics;
using Challenge.Core;
using Challenge.Core.Data;
using Challenge.Web.Bench.Load;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Challenge.Web.Bench;

internal sealed record LoadScenarioOptions(int Clients, int DurationSeconds, int Nodes, int Rows, string Provider, string? Connection, int DrainSeconds);

// Many participants at once: each client is a user in a team of their own, uploading full-size
// prediction files, polling their status and reading the leaderboard (JSON and page) in a loop for
// a fixed time, against one or more server nodes that share the data folder and the database.
// Afterwards the API and the database must agree that every accepted upload exists exactly once,
// ended as intended, and that the quotas match.
internal static class LoadScenario
{
    public static async Task<int> RunAsync(string serverDll, string dataDirectory, LoadScenarioOptions options)
    {
        if (options.Nodes > 1 && options.Provider == DatabaseProviders.Sqlite)
        {
            Console.Error.WriteLine("Several nodes need a shared database server: pass --provider Postgres --connection \"Host=...\".");
            return 2;
        }
        var settings = new Dictionary<string, string?> { ["Database:Provider"] = options.Provider };
        if (options.Connection is not null)
        {
            settings["Database:ConnectionString"] = options.Connection;
        }

        var setup = Stopwatch.StartNew();
        int taskId;
        var clients = new List<LoadClient>();
        await using (var world = await BenchWorld.CreateAsync(dataDirectory, options.Rows, DateTime.UtcNow.AddDays(-1), settings))
        {
            taskId = world.TaskId;
            for (var i = 0; i < options.Clients; i++)
            {
                var participant = await world.AddParticipantAsync($"load{i:D3}");
                clients.Add(new LoadClient(participant.Token, participant.TeamName));
            }
        }
        Console.WriteLine($"Setup: {options.Rows:N0}-row land-cover task, {options.Clients} users with a team and a token each, in {setup.Elapsed.TotalSeconds:0.0} s; database {options.Provider}.");

        var environment = new Dictionary<string, string> { ["Database__Provider"] = options.Provider };
        if (options.Connection is not null)
        {
            environment["Database__ConnectionString"] = options.Connection;
        }
        var nodes = new List<NodeProcess>();
        LoadResult result;
        IReadOnlyList<string> apiProblems;
        string loadDuring;
        try
        {
            for (var n = 0; n < options.Nodes; n++)
            {
                nodes.Add(await NodeProcess.StartAsync(serverDll, dataDirectory, Path.Combine(dataDirectory, $"node{n}.log"), environment));
            }
            Console.WriteLine($"Nodes: {string.Join(", ", nodes.Select(n => n.Address))}. Load average before: {Table.LoadAverage()}.");
            var driver = new LoadDriver(new LoadOptions(nodes.Select(n => n.Address).ToList(), clients, BenchWorld.Slug, BenchWorld.TaskSlug,
                options.Rows, BenchWorld.Classes, TimeSpan.FromSeconds(options.DurationSeconds), TimeSpan.FromSeconds(options.DrainSeconds)));
            result = await driver.RunAsync();
            loadDuring = Table.LoadAverage();
            apiProblems = await driver.VerifyThroughApiAsync(result);
            if (nodes.Any(n => n.HasExited))
            {
                apiProblems = [.. apiProblems, "a server node exited during the run"];
            }
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddChallengeCore(new ConfigurationBuilder().AddInMemoryCollection(settings.Append(new("Storage:DataDirectory", dataDirectory))).Build(), dataDirectory);
        await using var provider = services.BuildServiceProvider();
        var dbProblems = await LoadVerifier.VerifyDatabaseAsync(provider.GetRequiredService<IDbContextFactory<ChallengeDbContext>>(), taskId, result);
        SqliteConnection.ClearAllPools();

        Console.WriteLine();
        Console.WriteLine(LoadDriver.Describe(result, options.Clients, options.Nodes));
        Console.WriteLine($"Load average at the end of the window: {loadDuring} ({Environment.ProcessorCount} cores).");
        var problems = result.Problems.Concat(apiProblems).Concat(dbProblems).ToList();
        Console.WriteLine(problems.Count == 0
            ? "Verified: every accepted upload exists exactly once (API and database), ended as intended, and the quotas match."
            : $"{problems.Count} problem(s):\n  " + string.Join("\n  ", problems.Take(50)));
        var unfinished = result.Accepted.Count - result.FinalStatus.Count;
        return problems.Count == 0 && unfinished == 0 && result.ServerErrors == 0 ? 0 : 1;
    }
}
