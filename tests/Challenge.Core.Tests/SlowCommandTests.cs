using System.Collections.Concurrent;
using Challenge.Core.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Challenge.Core.Tests;

public sealed class SlowCommandTests
{
    [Fact]
    public async Task A_command_that_waits_seconds_for_the_write_lock_is_logged_as_a_warning_with_its_text()
    {
        var file = Path.Combine(Path.GetTempPath(), $"slow-{Guid.NewGuid():N}.db");
        var connectionString = new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString();
        var warnings = new ConcurrentQueue<string>();
        using var loggers = LoggerFactory.Create(logging => logging.AddProvider(new Capture(warnings)));
        var options = new DbContextOptionsBuilder<ChallengeDbContext>()
            .UseChallengeDatabase(DatabaseProviders.Sqlite, connectionString)
            .UseLoggerFactory(loggers)
            .Options;
        try
        {
            await using (var db = new ChallengeDbContext(options))
            {
                await db.Database.ExecuteSqlRawAsync("CREATE TABLE quick (x INTEGER)");
            }
            Assert.Empty(warnings);

            // Another connection holds SQLite's write lock for longer than the threshold.
            await using var holder = new SqliteConnection(connectionString);
            await holder.OpenAsync();
            await using (var begin = holder.CreateCommand())
            {
                begin.CommandText = "BEGIN IMMEDIATE";
                await begin.ExecuteNonQueryAsync();
            }
            var release = Task.Run(async () =>
            {
                await Task.Delay(SlowCommandInterceptor.Threshold + TimeSpan.FromSeconds(1));
                await using var commit = holder.CreateCommand();
                commit.CommandText = "COMMIT";
                await commit.ExecuteNonQueryAsync();
            });
            await using (var db = new ChallengeDbContext(options))
            {
                await db.Database.ExecuteSqlRawAsync("INSERT INTO quick (x) VALUES (1)");
            }
            await release;

            var warning = Assert.Single(warnings);
            Assert.Contains("A database command took", warning);
            Assert.Contains("INSERT INTO quick", warning);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }

    private sealed class Capture(ConcurrentQueue<string> warnings) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                warnings.Enqueue(formatter(state, exception));
            }
        }

        public void Dispose()
        {
        }
    }
}
