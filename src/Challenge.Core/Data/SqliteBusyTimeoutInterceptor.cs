using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Challenge.Core.Data;

// Without it, Microsoft.Data.Sqlite answers a locked database by sleeping 150 ms and retrying;
// SQLite's own busy handler waits only as long as the lock is actually held, which keeps
// concurrent uploads and scoring from queueing behind fixed sleeps.
internal sealed class SqliteBusyTimeoutInterceptor : DbConnectionInterceptor
{
    private const string Pragma = "PRAGMA busy_timeout = 30000;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragma;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragma;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
