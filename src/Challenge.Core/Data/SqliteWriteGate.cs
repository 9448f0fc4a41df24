using Microsoft.Extensions.Options;

namespace Challenge.Core.Data;

// SQLite lets one writer in at a time, and a writer that finds the write lock taken sleeps in
// growing steps (up to 100 ms) before it tries again; under a stream of uploads those sleeps were
// the latency tail of the upload and of the scoring claim. The writes on that path take turns here
// first, awaiting instead of sleeping. SQLite's own busy handling stays as the net for every other
// writer (and other processes). PostgreSQL locks rows and needs no gate.
public sealed class SqliteWriteGate(IOptions<DatabaseOptions> options)
{
    private readonly SemaphoreSlim? _gate = options.Value.Provider == DatabaseProviders.Sqlite ? new SemaphoreSlim(1, 1) : null;

    // Nothing inside may enter the gate again: the turn is held until the returned value is disposed.
    public async ValueTask<Turn> EnterAsync(CancellationToken cancellationToken = default)
    {
        if (_gate is null)
        {
            return default;
        }
        await _gate.WaitAsync(cancellationToken);
        return new Turn(_gate);
    }

    public readonly struct Turn(SemaphoreSlim? gate) : IDisposable
    {
        public void Dispose() => gate?.Release();
    }
}
