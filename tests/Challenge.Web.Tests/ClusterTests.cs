using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Challenge.Core.Data;
using Challenge.Core.Leaderboards;
using Challenge.Core.Submissions;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Challenge.Web.Tests;

// Two web nodes (real processes on loopback ports) share one PostgreSQL database and one data
// directory. Submissions flow in through both; one node is killed while it scores. Every accepted
// submission must end scored exactly once, the quota must stay exact, and the survivor must keep
// telling other nodes about the scores it lands.
public sealed class ClusterTests : IPostgresTests
{
    [DatabaseFact]
    public async Task A_node_killed_while_scoring_loses_nothing_and_scores_nothing_twice()
    {
        const int dailyLimit = 3;
        var directory = ChallengeWebFactory.NewDataDirectory();
        await using var database = await TestDatabase.CreateAsync(DatabaseProviders.Postgres);
        var tokens = await RecoveryTests.PrepareAsync(directory, database, dailyLimit, "ada", "bob");
        var file = await ReadAllAsync(RecoveryTests.Csv(solution: false));

        // A third listener on the database sees what every node publishes.
        var heard = new ConcurrentQueue<string>();
        using var stopListening = new CancellationTokenSource();
        var listener = ListenAsync(database.ConnectionString!, heard, stopListening.Token);

        // The host that prepared the data was a cluster member too; only new members count.
        var before = await SchedulerInstancesAsync(database);
        var nodeA = ServerProcess.Start(directory, database);
        ServerProcess? nodeB = null;
        try
        {
            await nodeA.WaitUntilHealthyAsync();
            var instanceA = await NewInstanceAsync(database, before);
            nodeB = ServerProcess.Start(directory, database);
            await nodeB.WaitUntilHealthyAsync();
            var instanceB = await NewInstanceAsync(database, [.. before, instanceA]);
            Assert.NotEqual(instanceA, instanceB);

            // Ada tries one more than her quota, alternating nodes; Bob stays within his.
            var uploads = new List<(string Token, ServerProcess Node)>();
            for (var i = 0; i <= dailyLimit; i++)
            {
                uploads.Add((tokens[0], i % 2 == 0 ? nodeA : nodeB));
            }
            for (var i = 0; i < dailyLimit; i++)
            {
                uploads.Add((tokens[1], i % 2 == 0 ? nodeB : nodeA));
            }
            var accepted = new List<long>();
            var acceptedOnA = new HashSet<long>();
            var refused = 0;
            foreach (var (token, node) in uploads)
            {
                using var api = node.Client(token);
                var response = await api.PostAsync("/api/challenges/big/tasks/classes/submissions?fileName=big.csv", new ByteArrayContent(file));
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
                    accepted.Add(id);
                    if (node == nodeA)
                    {
                        acceptedOnA.Add(id);
                    }
                }
                else
                {
                    Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
                    refused++;
                }
            }
            Assert.Equal(2 * dailyLimit, accepted.Count);
            Assert.Equal(1, refused);

            // Each node scores what it took in; kill node A while it holds the claim on one of its own.
            Assert.True(await WaitForScoringAsync(database, directory, acceptedOnA), "Node A never started scoring, so nothing could be interrupted.\n" + nodeA.OutputTail);
            nodeA.Kill();
            // Node B takes a claimed submission only after its lease runs out, so what is being scored
            // right after the kill is what node A was scoring.
            HashSet<long> interrupted;
            await using (var db = database.Open(directory))
            {
                interrupted = [.. await db.Submissions.Where(s => acceptedOnA.Contains(s.Id) && s.Status == SubmissionStatus.Scoring).Select(s => s.Id).ToListAsync()];
            }
            Assert.NotEmpty(interrupted);
            var killedAt = heard.Count;

            using var survivor = nodeB.Client(tokens[0]);
            var deadline = DateTime.UtcNow.AddSeconds(240);
            await using (var db = database.Open(directory))
            {
                while (await db.Submissions.AnyAsync(s => s.Status == SubmissionStatus.Queued || s.Status == SubmissionStatus.Scoring) && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(250);
                }
            }

            await using var check = database.Open(directory);
            var submissions = await check.Submissions.AsNoTracking().OrderBy(s => s.Id).ToListAsync();
            Assert.Equal(accepted.Order(), submissions.Select(s => s.Id));
            Assert.All(submissions, s =>
            {
                Assert.True(s.Status == SubmissionStatus.Scored, $"Submission {s.Id} ended {s.Status}: {s.FailureMessage}\n{nodeB.OutputTail}");
                Assert.Equal(1.0, s.PublicScore);
                // One attempt each, plus exactly one more for those that node A was scoring.
                Assert.Equal(interrupted.Contains(s.Id) ? 2 : 1, s.ScoringAttempts);
            });
            var used = await check.DailyQuotas.AsNoTracking().Select(q => q.Used).ToListAsync();
            Assert.Equal(new[] { dailyLimit, dailyLimit }, used);

            // The survivor's API answers for submissions that node A took in.
            foreach (var id in accepted.Take(1))
            {
                Assert.Equal("scored", (await survivor.GetFromJsonAsync<JsonElement>($"/api/submissions/{id}")).GetProperty("status").GetString());
            }
            // Scores landed on node B after the kill reached a listener on another connection.
            var waitForNotice = DateTime.UtcNow.AddSeconds(10);
            while (heard.Count <= killedAt && DateTime.UtcNow < waitForNotice)
            {
                await Task.Delay(100);
            }
            Assert.True(heard.Count > killedAt, "No leaderboard change was published after node A died.");
        }
        finally
        {
            nodeA.Kill();
            nodeB?.Kill();
            await stopListening.CancelAsync();
            await listener;
        }
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var memory = new MemoryStream();
        await stream.CopyToAsync(memory);
        return memory.ToArray();
    }

    private static async Task<List<string>> SchedulerInstancesAsync(TestDatabase database)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT instance_name FROM qrtz_scheduler_state", connection);
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }
        return names;
    }

    private static async Task<string> NewInstanceAsync(TestDatabase database, List<string> known)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var fresh = (await SchedulerInstancesAsync(database)).Except(known).ToList();
            if (fresh.Count == 1 || DateTime.UtcNow > deadline)
            {
                return Assert.Single(fresh);
            }
            await Task.Delay(100);
        }
    }

    // Waits until one of the given submissions is being scored.
    private static async Task<bool> WaitForScoringAsync(TestDatabase database, string directory, HashSet<long> ids)
    {
        await using var db = database.Open(directory);
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            if (await db.Submissions.AnyAsync(s => ids.Contains(s.Id) && s.Status == SubmissionStatus.Scoring))
            {
                return true;
            }
            await Task.Delay(20);
        }
        return false;
    }

    private static async Task ListenAsync(string connectionString, ConcurrentQueue<string> heard, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(CancellationToken.None);
        connection.Notification += (_, e) => heard.Enqueue(e.Payload);
        await using (var listen = new NpgsqlCommand($"LISTEN {PostgresLeaderboardNotifier.Channel}", connection))
        {
            await listen.ExecuteNonQueryAsync(CancellationToken.None);
        }
        try
        {
            while (true)
            {
                await connection.WaitAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // The test is over.
        }
    }
}
