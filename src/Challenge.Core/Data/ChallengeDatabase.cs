using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Challenge.Core.Data;

// The one place that knows which engine is behind the DbContext; feature code never asks.
public static class ChallengeDatabase
{
    public const string SqliteMigrationsAssembly = "Challenge.Migrations.Sqlite";
    public const string PostgresMigrationsAssembly = "Challenge.Migrations.Postgres";

    // A missing PostgreSQL connection string or an unknown provider is reported by options
    // validation at start (naming the key), so resolving never throws before that message.
    public static string ResolveConnectionString(string provider, string? configured, string sqliteFile) =>
        configured is { Length: > 0 }
            ? provider == DatabaseProviders.Postgres ? WithPostgresDefaults(configured) : configured
            : provider == DatabaseProviders.Postgres
                ? "Host=unconfigured"
                : new SqliteConnectionStringBuilder { DataSource = sqliteFile, DefaultTimeout = 60 }.ToString();

    // Connections a node keeps to PostgreSQL unless its connection string says otherwise.
    // Npgsql's own default, 100, is the server's whole default max_connections: under load one
    // node filled every slot, and its next openings were refused by the server ("remaining
    // connection slots are reserved") instead of waiting a moment for a pooled connection.
    public const int DefaultPostgresPoolSize = 20;

    // Statements a connection keeps prepared once used often; the same few queries run for every
    // upload, status poll and board read, and preparing them spares the server parsing and
    // planning each time (about a third more uploads a second in the load benchmark).
    public const int DefaultPostgresAutoPrepare = 64;

    private static string WithPostgresDefaults(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!Sets(connectionString, "MaximumPoolSize", "MaxPoolSize"))
        {
            builder.MaxPoolSize = DefaultPostgresPoolSize;
        }
        if (!Sets(connectionString, "MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = DefaultPostgresAutoPrepare;
        }
        return builder.ConnectionString;
    }

    // Parsed as a connection string (quoted values may hold ';' or '='), keys compared without spaces.
    private static bool Sets(string connectionString, params string[] keys) =>
        new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>().Any(key =>
            keys.Contains(key.Replace(" ", "", StringComparison.Ordinal), StringComparer.OrdinalIgnoreCase));

    private static readonly SlowCommandInterceptor SlowCommands = new();

    public static DbContextOptionsBuilder<ChallengeDbContext> UseChallengeDatabase(this DbContextOptionsBuilder<ChallengeDbContext> options, string provider, string connectionString)
    {
        ((DbContextOptionsBuilder)options).UseChallengeDatabase(provider, connectionString);
        return options;
    }

    public static DbContextOptionsBuilder UseChallengeDatabase(this DbContextOptionsBuilder options, string provider, string connectionString) =>
        provider switch
        {
            DatabaseProviders.Sqlite => options
                .UseSqlite(connectionString, sqlite => sqlite.MigrationsAssembly(SqliteMigrationsAssembly))
                .AddInterceptors(new SqliteBusyTimeoutInterceptor(), SlowCommands),
            DatabaseProviders.Postgres => options
                .UseNpgsql(connectionString, npgsql => npgsql.MigrationsAssembly(PostgresMigrationsAssembly))
                .AddInterceptors(SlowCommands),
            _ => throw new InvalidOperationException($"Database:Provider '{provider}' is not supported; use {DatabaseProviders.Sqlite} or {DatabaseProviders.Postgres}."),
        };
}
