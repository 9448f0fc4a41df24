using Challenge.Core.Data;
using Challenge.Core.Files;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Challenge.Core.Scheduling;

// Removes what nothing refers to any more: a team left without members and without submissions
// (the merge race, a deleted account), and a stored submission file whose submission row is gone
// (the merge race deleted rows with their team; deleting a challenge takes its submissions). A
// submission's file and row are written in one transaction, so a file without its row is never
// one still being stored; the grace period only keeps the sweep away from anything recent.
public sealed class OrphanCleanup(IDbContextFactory<ChallengeDbContext> dbFactory, SqliteWriteGate writes, IFileStore files, TimeProvider clock, ILogger<OrphanCleanup> logger)
{
    public static readonly TimeSpan FileGrace = TimeSpan.FromHours(1);
    private const int Batch = 100;

    public async Task<(int Teams, int Files)> RunAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var teams = 0;
        // Read first, so that a sweep with nothing to do takes no write turn.
        if (await EmptyTeams(db).AnyAsync(cancellationToken))
        {
            // Serialised, so a join into such a team (by an old invite code) and the removal see each other.
            teams = await dbFactory.RunSerializableAsync(writes, async (unit, cancellationToken) =>
            {
                var removed = await EmptyTeams(unit).ExecuteDeleteAsync(cancellationToken);
                await unit.Database.CommitTransactionAsync(cancellationToken);
                return removed;
            }, () => 0, cancellationToken);
        }

        var cutoff = clock.GetUtcNow().UtcDateTime - FileGrace;
        var orphans = await db.StoredFiles
            .Where(f => f.StorageKey.StartsWith("submissions/") && f.CreatedAtUtc < cutoff && !db.Submissions.Any(s => s.StoredFileId == f.Id))
            .OrderBy(f => f.Id).Select(f => new { f.Id, f.StorageKey }).Take(Batch).ToListAsync(cancellationToken);
        var removedFiles = 0;
        foreach (var orphan in orphans)
        {
            // The row goes only while still unreferenced; the file only once its row is gone.
            int deleted;
            using (await writes.EnterAsync(cancellationToken))
            {
                deleted = await db.StoredFiles.Where(f => f.Id == orphan.Id && !db.Submissions.Any(s => s.StoredFileId == f.Id)).ExecuteDeleteAsync(cancellationToken);
            }
            if (deleted == 1)
            {
                await files.DeleteAsync(orphan.StorageKey);
                removedFiles++;
            }
        }
        if (teams > 0 || removedFiles > 0)
        {
            logger.LogInformation("Removed {Teams} teams without members or submissions and {Files} submission files without a submission", teams, removedFiles);
        }
        return (teams, removedFiles);
    }

    private static IQueryable<Teams.Team> EmptyTeams(ChallengeDbContext db) =>
        db.Teams.Where(t => !t.IsBaseline && !db.TeamMembers.Any(m => m.TeamId == t.Id) && !db.Submissions.Any(s => s.TeamId == t.Id));
}
