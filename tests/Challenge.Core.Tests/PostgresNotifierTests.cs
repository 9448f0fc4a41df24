using System.Collections.Concurrent;
using Challenge.Core.Data;
using Challenge.Core.Leaderboards;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Challenge.Core.Tests;

// Two nodes on one PostgreSQL database: the app's notifier (node A) and a second notifier with its
// own connections, as another process would have (node B).
public sealed class PostgresNotifierTests : IPostgresTests
{
    [DatabaseFact]
    public async Task A_change_published_on_one_node_reaches_every_subscriber_on_both_nodes_exactly_once()
    {
        await using var harness = await CoreHarness.StartAsync(DatabaseProviders.Postgres);
        var nodeA = Assert.IsType<PostgresLeaderboardNotifier>(harness.Get<ILeaderboardNotifier>());
        using var nodeB = new PostgresLeaderboardNotifier(harness.Database.ConnectionString!, harness.Get<IDbContextFactory<ChallengeDbContext>>(), NullLogger<PostgresLeaderboardNotifier>.Instance);
        await nodeB.StartAsync(CancellationToken.None);
        await nodeA.Listening.WaitAsync(TimeSpan.FromSeconds(30));
        await nodeB.Listening.WaitAsync(TimeSpan.FromSeconds(30));
        var seenOnA = new ConcurrentQueue<LeaderboardChange>();
        var seenOnB = new ConcurrentQueue<LeaderboardChange>();
        nodeA.Changed += seenOnA.Enqueue;
        nodeB.Changed += seenOnB.Enqueue;

        nodeA.Publish(new LeaderboardChange(1, 2, 3));
        nodeB.Publish(new LeaderboardChange(4, 5, null));
        await WaitUntilAsync(() => seenOnA.Count >= 2 && seenOnB.Count >= 2);
        // Echoes of a node's own notifications must not arrive as second deliveries.
        await Task.Delay(500);

        Assert.Equal([new LeaderboardChange(1, 2, 3), new LeaderboardChange(4, 5, null)], seenOnA.OrderBy(c => c.CompetitionId));
        Assert.Equal([new LeaderboardChange(1, 2, 3), new LeaderboardChange(4, 5, null)], seenOnB.OrderBy(c => c.CompetitionId));
        await nodeB.StopAsync(CancellationToken.None);
    }

    [DatabaseFact]
    public async Task A_listener_whose_connection_is_killed_reconnects_and_hears_later_changes()
    {
        await using var harness = await CoreHarness.StartAsync(DatabaseProviders.Postgres);
        var nodeA = Assert.IsType<PostgresLeaderboardNotifier>(harness.Get<ILeaderboardNotifier>());
        using var nodeB = new PostgresLeaderboardNotifier(harness.Database.ConnectionString!, harness.Get<IDbContextFactory<ChallengeDbContext>>(), NullLogger<PostgresLeaderboardNotifier>.Instance);
        await nodeB.StartAsync(CancellationToken.None);
        // Both listeners must be in place before the kill, or the kill finds fewer than two.
        await nodeA.Listening.WaitAsync(TimeSpan.FromSeconds(30));
        await nodeB.Listening.WaitAsync(TimeSpan.FromSeconds(30));
        var seenOnB = new ConcurrentQueue<LeaderboardChange>();
        nodeB.Changed += seenOnB.Enqueue;

        // What a database restart or a network cut does to every listening connection.
        await using (var admin = new NpgsqlConnection(harness.Database.ConnectionString))
        {
            await admin.OpenAsync();
            await using var kill = new NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %' AND pid <> pg_backend_pid()", admin);
            Assert.True((long)(await kill.ExecuteScalarAsync())! >= 2);
        }

        // Publish until node B hears one: it must reconnect on its own.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!seenOnB.Any(c => c.TeamId == 42) && DateTime.UtcNow < deadline)
        {
            nodeA.Publish(new LeaderboardChange(7, 8, 42));
            await Task.Delay(500);
        }

        Assert.Contains(seenOnB, c => c.TeamId == 42);
        await nodeB.StopAsync(CancellationToken.None);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
    }
}
