using Challenge.Core.Scheduling;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Tests;

// What the merge race used to leave behind: a team without members, submission files whose rows
// went with a deleted team. The sweep removes them and nothing that is still referred to.
public abstract class OrphanCleanupTests(string provider) : IAsyncLifetime
{
    private CoreHarness _harness = default!;
    private CompetitionWorld _world = default!;

    public async Task InitializeAsync()
    {
        _harness = await CoreHarness.StartAsync(provider);
        _world = await CompetitionWorld.CreateAsync(_harness);
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [DatabaseFact]
    public async Task Empty_teams_and_files_without_a_submission_are_removed_and_nothing_referred_to()
    {
        var csv = CompetitionWorld.SubmissionCsv(_ => true);
        var (ada, emptied) = await _world.TeamAsync("ada");
        var (bob, withSubmissions) = await _world.TeamAsync("bob");
        var (cyd, _) = await _world.TeamAsync("cyd");
        var kept = (await _world.SubmitAsync(bob, csv)).Submission!;
        var lost = (await _world.SubmitAsync(cyd, csv)).Submission!;
        var recent = (await _world.SubmitAsync(cyd, csv)).Submission!;
        string lostKey, recentKey;
        await using (var db = _harness.CreateDbContext())
        {
            // As the old merge left them: members gone, rows gone with their files still stored.
            await db.TeamMembers.Where(m => m.TeamId == emptied.Id || m.TeamId == withSubmissions.Id).ExecuteDeleteAsync();
            lostKey = await db.StoredFiles.Where(f => f.Id == lost.StoredFileId).Select(f => f.StorageKey).SingleAsync();
            recentKey = await db.StoredFiles.Where(f => f.Id == recent.StoredFileId).Select(f => f.StorageKey).SingleAsync();
            await db.Submissions.Where(s => s.Id == lost.Id || s.Id == recent.Id).ExecuteDeleteAsync();
            await db.StoredFiles.Where(f => f.Id == lost.StoredFileId).ExecuteUpdateAsync(f => f.SetProperty(x => x.CreatedAtUtc, DateTime.UtcNow - OrphanCleanup.FileGrace - TimeSpan.FromMinutes(5)));
        }

        await _harness.Get<OrphanCleanup>().RunAsync();

        await using var check = _harness.CreateDbContext();
        Assert.False(await check.Teams.AnyAsync(t => t.Id == emptied.Id));
        Assert.True(await check.Teams.AnyAsync(t => t.Id == withSubmissions.Id));
        Assert.True(await check.Submissions.AnyAsync(s => s.Id == kept.Id));
        Assert.False(await check.StoredFiles.AnyAsync(f => f.Id == lost.StoredFileId));
        Assert.False(File.Exists(Path.Combine(_harness.Directory, "files", lostKey)));
        // Within the grace period a file stays.
        Assert.True(await check.StoredFiles.AnyAsync(f => f.Id == recent.StoredFileId));
        Assert.True(File.Exists(Path.Combine(_harness.Directory, "files", recentKey)));
        Assert.True(await check.StoredFiles.AnyAsync(f => f.Id == kept.StoredFileId));
    }
}

public sealed class OrphanCleanupTestsOnSqlite() : OrphanCleanupTests(Challenge.Core.Data.DatabaseProviders.Sqlite);

public sealed class OrphanCleanupTestsOnPostgres() : OrphanCleanupTests(Challenge.Core.Data.DatabaseProviders.Postgres), IPostgresTests;
