using System.Data;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Data;

// A check-then-act (read the state, decide, write) is only sound when no other writer can change
// what was read before the write lands. This runs such a unit in a fresh context under a
// serialisable transaction: on SQLite the write gate plus BEGIN IMMEDIATE (what
// Microsoft.Data.Sqlite issues for a serialisable transaction) lets one unit in at a time; on
// PostgreSQL, SERIALIZABLE makes the server refuse one of two units that overlap, and the refused
// one runs again from the start on fresh data (its checks then see the other's outcome).
public static class SerializableTransaction
{
    private const int Attempts = 8;

    // The work commits with db.Database.CommitTransactionAsync when it decided to write; returning
    // without committing rolls everything back. onConflict answers when the database kept refusing.
    public static async Task<T> RunSerializableAsync<T>(
        this IDbContextFactory<ChallengeDbContext> dbFactory,
        SqliteWriteGate writes,
        Func<ChallengeDbContext, CancellationToken, Task<T>> work,
        Func<T> onConflict,
        CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var turn = await writes.EnterAsync(cancellationToken);
                await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
                await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.Serializable, cancellationToken);
                return await work(db, cancellationToken);
            }
            catch (Exception exception) when (IsSerializationFailure(exception) || DatabaseErrors.IsPostgresDuplicate(exception))
            {
                if (attempt == Attempts)
                {
                    return onConflict();
                }
                // Two units that refused each other would meet again at once; a short, random
                // pause lets one of them finish first.
                await Task.Delay(Random.Shared.Next(5, 20 * attempt), cancellationToken);
            }
        }
    }

    public static bool IsSerializationFailure(Exception exception) => DatabaseErrors.IsSerializationFailure(exception);
}
