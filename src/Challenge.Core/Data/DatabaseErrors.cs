using Microsoft.Data.Sqlite;
using Npgsql;

namespace Challenge.Core.Data;

// What a failed statement means, whichever engine raised it; EF wraps the engine's exception in
// its own when it comes from SaveChanges, so the whole chain is searched.
public static class DatabaseErrors
{
    // SQLite's extended result code for a foreign key constraint.
    private const int SqliteForeignKey = 787;

    // PostgreSQL's "could not serialize access" and a deadlock between two units.
    public static bool IsSerializationFailure(Exception exception) =>
        Chain(exception).Any(e => e is PostgresException { SqlState: PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected });

    // PostgreSQL reports a key that a concurrent serialisable unit inserted after this one checked
    // for it as a unique violation rather than a serialisation failure when the check did not go
    // through the unique index; for a serialised unit it means the same: run again on fresh data.
    // (SQLite serialises the units, so there a duplicate is never a race and is not retried.)
    public static bool IsPostgresDuplicate(Exception exception) =>
        Chain(exception).Any(e => e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation });

    // A row refers to one that another writer removed meanwhile.
    public static bool IsForeignKeyViolation(Exception exception) =>
        Chain(exception).Any(e => e is PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation }
            or SqliteException { SqliteExtendedErrorCode: SqliteForeignKey });

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (var inner = exception; inner is not null; inner = inner.InnerException)
        {
            yield return inner;
        }
    }
}
