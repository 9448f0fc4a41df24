using Challenge.Core.Data;
using Microsoft.Extensions.Options;

namespace Challenge.Core.Tests;

public sealed class SqliteWriteGateTests
{
    [Fact]
    public async Task On_sqlite_a_second_writer_waits_for_the_first_turn_and_gets_it_when_it_ends()
    {
        var gate = new SqliteWriteGate(Options.Create(new DatabaseOptions { Provider = DatabaseProviders.Sqlite }));
        var first = await gate.EnterAsync();
        var second = gate.EnterAsync().AsTask();
        await Task.Delay(100);
        Assert.False(second.IsCompleted);

        first.Dispose();
        (await second.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();

        // A writer that gives up waiting leaves the gate usable.
        var held = await gate.EnterAsync();
        using var cancel = new CancellationTokenSource(50);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await gate.EnterAsync(cancel.Token));
        held.Dispose();
        (await gate.EnterAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
    }

    [Fact]
    public async Task On_postgres_writers_do_not_wait_for_each_other()
    {
        var gate = new SqliteWriteGate(Options.Create(new DatabaseOptions { Provider = DatabaseProviders.Postgres, ConnectionString = "Host=db" }));
        using var first = await gate.EnterAsync();
        var second = gate.EnterAsync().AsTask();

        Assert.True(second.IsCompleted);
        (await second).Dispose();
    }
}
