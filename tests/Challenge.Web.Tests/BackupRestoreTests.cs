using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Challenge.Core.Data;
using Challenge.Core.Files;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Challenge.Web.Tests;

// A backup taken with exactly the commands of README "Backup and restore", while the app runs,
// restores into a fresh data directory (and database) on which the app finds every submission,
// its score and its file.
public abstract class BackupRestoreTests(string provider)
{
    // The README's commands, word for word, over DATA, BACKUP, RESTORED and the database URLs.
    private const string SqliteBackup = """
        sqlite3 "$DATA/challenge.db" ".backup '$BACKUP/challenge.db'"
        tar -C "$DATA" --exclude='challenge.db*' -czf "$BACKUP/files.tar.gz" .
        """;
    private const string SqliteRestore = """
        mkdir -p "$RESTORED" && tar -C "$RESTORED" -xzf "$BACKUP/files.tar.gz"
        cp "$BACKUP/challenge.db" "$RESTORED/challenge.db"
        """;
    private const string PostgresBackup = """
        pg_dump -Fc -d "$DATABASE_URL" -f "$BACKUP/challenge.dump"
        tar -C "$DATA" --exclude='challenge.db*' -czf "$BACKUP/files.tar.gz" .
        """;
    private const string PostgresRestore = """
        pg_restore --no-owner --exit-on-error -d "$RESTORED_DATABASE_URL" "$BACKUP/challenge.dump"
        mkdir -p "$RESTORED" && tar -C "$RESTORED" -xzf "$BACKUP/files.tar.gz"
        """;

    [DatabaseFact]
    public async Task A_backup_taken_with_the_documented_commands_restores_every_submission_and_file()
    {
        var backup = Path.Combine(Path.GetTempPath(), "challenge-backup-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(backup);
        var restoredDirectory = ChallengeWebFactory.NewDataDirectory();
        await using var restoredDatabase = await TestDatabase.CreateAsync(provider);

        Dictionary<long, (string Status, double? Score, string Key, byte[] Bytes)> original;
        string adaToken;
        await using (var site = await CompetitionSite.StartAsync(provider: provider))
        {
            var ids = new List<long>();
            foreach (var (participant, csv) in new[] { (site.Ada, CompetitionSite.PerfectCsv()), (site.Bob, CompetitionSite.PerfectCsv().Replace("reef", "sandy")), (site.Ada, "Id,Category\n1,reef\n") })
            {
                var response = await site.SubmitAsync(participant, csv);
                ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
            }
            foreach (var id in ids)
            {
                await site.WaitForScoringAsync(id);
            }
            original = await SnapshotAsync(site.Factory);
            Assert.Equal(3, original.Count);
            adaToken = site.Ada.Token;

            var environment = new Dictionary<string, string>
            {
                ["DATA"] = site.Factory.DataDirectory,
                ["BACKUP"] = backup,
                ["RESTORED"] = restoredDirectory,
            };
            if (provider == DatabaseProviders.Postgres)
            {
                environment["DATABASE_URL"] = LibpqUrl(site.Factory.Database!.ConnectionString!);
                environment["RESTORED_DATABASE_URL"] = LibpqUrl(restoredDatabase.ConnectionString!);
            }
            // Taken while the app runs, as a nightly backup would be.
            await RunAsync(provider == DatabaseProviders.Sqlite ? SqliteBackup : PostgresBackup, environment);
            await RunAsync(provider == DatabaseProviders.Sqlite ? SqliteRestore : PostgresRestore, environment);
        }

        await using var restored = new ChallengeWebFactory(restoredDirectory, database: restoredDatabase);
        var found = await SnapshotAsync(restored);
        Assert.Equal(original.Keys.Order(), found.Keys.Order());
        foreach (var (id, before) in original)
        {
            var after = found[id];
            Assert.Equal((before.Status, before.Score, before.Key), (after.Status, after.Score, after.Key));
            Assert.Equal(before.Bytes, after.Bytes);
        }
        // Sign-in tokens are stored in the database, so the participant's token still works.
        using var api = restored.CreateClient();
        api.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", adaToken);
        var first = original.Keys.Min();
        Assert.Equal("scored", (await api.GetFromJsonAsync<JsonElement>($"/api/submissions/{first}")).GetProperty("status").GetString());
        Directory.Delete(backup, recursive: true);
    }

    private static async Task<Dictionary<long, (string Status, double? Score, string Key, byte[] Bytes)>> SnapshotAsync(ChallengeWebFactory factory)
    {
        var files = factory.Services.GetRequiredService<IFileStore>();
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<ChallengeDbContext>>().CreateDbContextAsync();
        var rows = await db.Submissions.AsNoTracking().Include(s => s.StoredFile).ToListAsync();
        var snapshot = new Dictionary<long, (string, double?, string, byte[])>();
        foreach (var row in rows)
        {
            using var memory = new MemoryStream();
            await using (var stream = files.OpenRead(row.StoredFile!.StorageKey))
            {
                await stream.CopyToAsync(memory);
            }
            snapshot[row.Id] = (row.Status.ToString(), row.PublicScore, row.StoredFile.StorageKey, memory.ToArray());
        }
        return snapshot;
    }

    private static string LibpqUrl(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"postgresql://{Uri.EscapeDataString(builder.Username!)}:{Uri.EscapeDataString(builder.Password ?? "")}@{builder.Host}:{builder.Port}/{Uri.EscapeDataString(builder.Database!)}";
    }

    private static async Task RunAsync(string script, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-euo");
        start.ArgumentList.Add("pipefail");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"'{script}' failed with {process.ExitCode}:\n{await output}\n{await errors}");
    }
}

public sealed class BackupRestoreTestsOnSqlite() : BackupRestoreTests(DatabaseProviders.Sqlite);

public sealed class BackupRestoreTestsOnPostgres() : BackupRestoreTests(DatabaseProviders.Postgres), IPostgresTests;
