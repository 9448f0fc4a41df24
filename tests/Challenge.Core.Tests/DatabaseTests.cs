using Challenge.Core.Data;
using Challenge.Core.Accounts;
using Challenge.Core.Demo;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Challenge.Core.Tests;

// Each provider has its own migration set (build/add-migration.sh adds to both).
public abstract class MigrationTests(string provider)
{
    [DatabaseFact]
    public async Task Migrations_create_the_schema_and_match_the_model()
    {
        await using var harness = await CoreHarness.StartAsync(provider);
        await using var db = harness.CreateDbContext();

        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.NotEmpty(await db.Database.GetAppliedMigrationsAsync());
        // Fails when an entity changes without a new migration for this provider.
        Assert.False(db.Database.HasPendingModelChanges(), $"The model has changes that no {provider} migration holds: run build/add-migration.sh <Name>.");
    }

    [DatabaseFact]
    public async Task Times_come_back_as_utc()
    {
        await using var harness = await CoreHarness.StartAsync(provider);
        var at = new DateTime(2026, 3, 1, 12, 30, 0, DateTimeKind.Unspecified);
        await using (var db = harness.CreateDbContext())
        {
            db.AuditLog.Add(new Challenge.Core.Audit.AuditEntry { CompetitionId = 0, Action = "test", Detail = "", AtUtc = at });
            await db.SaveChangesAsync();
        }

        await using var check = harness.CreateDbContext();
        var stored = (await check.AuditLog.SingleAsync()).AtUtc;
        Assert.Equal(DateTimeKind.Utc, stored.Kind);
        Assert.Equal(at.Ticks, stored.Ticks);
    }
}

public sealed class MigrationTestsOnSqlite() : MigrationTests(Challenge.Core.Data.DatabaseProviders.Sqlite);

public sealed class MigrationTestsOnPostgres() : MigrationTests(Challenge.Core.Data.DatabaseProviders.Postgres), IPostgresTests;

public sealed class DatabaseTests
{
    [Theory]
    [InlineData("Postgres", "", "Database:ConnectionString is required")]
    [InlineData("MySql", "Server=db", "Provider")]
    public async Task A_wrong_database_setting_stops_the_start_with_a_message_naming_the_key(string provider, string connectionString, string expected)
    {
        var directory = Path.Combine(Path.GetTempPath(), "challenge-core-tests", Guid.NewGuid().ToString("N"));
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new Microsoft.Extensions.Hosting.HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = directory,
            ["Database:Provider"] = provider,
            ["Database:ConnectionString"] = connectionString,
        });
        builder.Services.AddLogging();
        builder.Services.AddChallengeCore(builder.Configuration, directory);
        using var host = builder.Build();

        var refused = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(expected, refused.Message);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("-00:01:00")]
    [InlineData("2.00:00:00")]
    public async Task A_scoring_time_limit_out_of_range_stops_the_start_with_a_message_naming_the_key(string limit)
    {
        var directory = Path.Combine(Path.GetTempPath(), "challenge-core-tests", Guid.NewGuid().ToString("N"));
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new Microsoft.Extensions.Hosting.HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = directory,
            ["Scoring:TimeLimit"] = limit,
        });
        builder.Services.AddLogging();
        builder.Services.AddChallengeCore(builder.Configuration, directory);
        using var host = builder.Build();

        var refused = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Scoring:TimeLimit", refused.Message);
    }

    [Theory]
    [InlineData("Host=db;Database=challenge;Username=u;Password=p", 20, 64)]
    [InlineData("Host=db;Database=challenge;Maximum Pool Size=7", 7, 64)]
    [InlineData("Host=db;Database=challenge;maximum pool size=150;Max Auto Prepare=0", 150, 0)]
    [InlineData("Host=db;Database=challenge;MaxPoolSize=100;MaxAutoPrepare=5", 100, 5)]
    public void A_node_keeps_a_bounded_postgres_pool_and_prepares_hot_statements_unless_its_connection_string_says_otherwise(string configured, int poolSize, int autoPrepare)
    {
        var resolved = new Npgsql.NpgsqlConnectionStringBuilder(ChallengeDatabase.ResolveConnectionString(DatabaseProviders.Postgres, configured, "unused.db"));

        Assert.Equal(poolSize, resolved.MaxPoolSize);
        Assert.Equal(autoPrepare, resolved.MaxAutoPrepare);
        Assert.Equal("db", resolved.Host);
        Assert.Equal("challenge", resolved.Database);
    }

    [Fact]
    public async Task The_database_runs_in_wal_mode()
    {
        await using var harness = await CoreHarness.StartAsync();
        await using var db = harness.CreateDbContext();
        await db.Database.OpenConnectionAsync();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";

        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task An_empty_database_gets_the_published_demo_challenges_once()
    {
        var directory = Path.Combine(Path.GetTempPath(), "challenge-core-tests", Guid.NewGuid().ToString("N"));
        await using (var first = await CoreHarness.StartAsync(seedDemo: true, directory: directory))
        {
            await using var db = first.CreateDbContext();
            Assert.Equal(DemoSeeder.Slugs.Order(), (await db.Competitions.Select(c => c.Slug).ToListAsync()).Order());
            // Keep the folder for the restart below.
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }

        // The first harness deleted its folder on dispose; a restart on a kept database is covered
        // by the web tests, here a second start on a fresh folder seeds again exactly once.
        await using var second = await CoreHarness.StartAsync(seedDemo: true, directory: directory);
        await second.Get<DemoSeeder>().SeedAsync(second.CreateDbContext(), CancellationToken.None);
        await using var check = second.CreateDbContext();
        Assert.Equal(DemoSeeder.Slugs.Count, await check.Competitions.CountAsync());
    }

    [Fact]
    public async Task The_three_roles_exist_after_start()
    {
        await using var harness = await CoreHarness.StartAsync();
        await using var db = harness.CreateDbContext();

        Assert.Equal(Roles.All.Order(), (await db.Roles.Select(r => r.Name!).ToListAsync()).Order());
    }
}
