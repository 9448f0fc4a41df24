using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

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
            ? configured
            : provider == DatabaseProviders.Postgres
                ? "Host=unconfigured"
                : new SqliteConnectionStringBuilder { DataSource = sqliteFile, DefaultTimeout = 60 }.ToString();

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
                .AddInterceptors(new SqliteBusyTimeoutInterceptor()),
            DatabaseProviders.Postgres => options
                .UseNpgsql(connectionString, npgsql => npgsql.MigrationsAssembly(PostgresMigrationsAssembly)),
            _ => throw new InvalidOperationException($"Database:Provider '{provider}' is not supported; use {DatabaseProviders.Sqlite} or {DatabaseProviders.Postgres}."),
        };
}
