using Challenge.Core.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Challenge.Testing;

// One database for one test (or one fixture): for SQLite the app's own file in its data
// directory; for PostgreSQL a uniquely named database on the server given by
// CHALLENGE_TEST_POSTGRES, dropped on dispose.
public sealed class TestDatabase : IAsyncDisposable
{
    public const string Variable = "CHALLENGE_TEST_POSTGRES";

    private readonly string? _name;

    private TestDatabase(string provider, string? connectionString, string? name)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _name = name;
    }

    public string Provider { get; }

    // Null for SQLite: the app then uses challenge.db in its data directory.
    public string? ConnectionString { get; }

    public static string? PostgresServer =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } server ? server : null;

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    // Why PostgreSQL tests are skipped here, or null when they run. In CI they always run, so a
    // missing server fails the build instead of passing silently.
    public static string? PostgresSkipReason => PostgresServer is null && !InCi
        ? $"{Variable} is not set, so the PostgreSQL variants are skipped. Set it to a server's connection string whose user may create databases, e.g. "
          + "'Host=127.0.0.1;Username=challenge_test;Password=challenge_test;Database=postgres' (see README 'Running the PostgreSQL tests')."
        : null;

    public static async Task<TestDatabase> CreateAsync(string provider)
    {
        if (provider == DatabaseProviders.Sqlite)
        {
            return new TestDatabase(provider, null, null);
        }
        var server = PostgresServer ?? throw new InvalidOperationException(
            $"{Variable} is not set: the PostgreSQL tests need a server (CI=true makes them required).");
        var name = "challenge_test_" + Guid.NewGuid().ToString("N");
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }
        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ToString();
        return new TestDatabase(provider, connectionString, name);
    }

    // The configuration keys an app (in process or a child process) needs for this database.
    public IReadOnlyDictionary<string, string> Settings(string separator = ":") => ConnectionString is null
        ? new Dictionary<string, string> { [$"Database{separator}Provider"] = Provider }
        : new Dictionary<string, string>
        {
            [$"Database{separator}Provider"] = Provider,
            [$"Database{separator}ConnectionString"] = ConnectionString,
            // Short enough for a test to see a dead node's jobs taken over within seconds.
            [$"Database{separator}ClusterCheckinInterval"] = "00:00:02",
        };

    // A context outside the app, for looking at what it stored.
    public ChallengeDbContext Open(string dataDirectory) => new(new DbContextOptionsBuilder<ChallengeDbContext>()
        .UseChallengeDatabase(Provider, ConnectionString ?? $"Data Source={Path.Combine(dataDirectory, "challenge.db")};Pooling=False")
        .Options);

    public async ValueTask DisposeAsync()
    {
        if (_name is null)
        {
            SqliteConnection.ClearAllPools();
            return;
        }
        NpgsqlConnection.ClearAllPools();
        try
        {
            await using var admin = new NpgsqlConnection(PostgresServer);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException)
        {
            // A leftover test database is harmless; never fail a test over cleanup.
        }
    }
}
