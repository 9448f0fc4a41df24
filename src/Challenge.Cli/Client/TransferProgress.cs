using Spectre.Console;

namespace Challenge.Cli.Client;

/// <summary>
/// Progress of an upload or download: on a terminal a Spectre.Console bar on stderr (size, speed,
/// time left); piped or redirected, a plain line at each quarter of a large transfer, which a log
/// file keeps readable.
/// </summary>
internal static class TransferProgress
{
    private const long PlainLinesFrom = 8L << 20;

    /// <summary>Runs <paramref name="transfer"/>, which reports each block of bytes it moves to the action it is given.</summary>
    public static async Task<T> RunAsync<T>(CliContext context, string verb, string name, long? length, Func<Action<long>, Task<T>> transfer)
    {
        if (!context.ShowProgress)
        {
            return await transfer(Plain(context, verb, name, length));
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(context.Error) });
        T result = default!;
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask($"{verb} {Markup.Escape(name)}", maxValue: length is > 0 ? length.Value : 1);
                task.IsIndeterminate = length is not > 0;
                result = await transfer(bytes => task.Increment(bytes));
                task.IsIndeterminate = false;
                task.Value = task.MaxValue;
            });
        return result;
    }

    private static Action<long> Plain(CliContext context, string verb, string name, long? length)
    {
        if (length is not >= PlainLinesFrom)
        {
            return _ => { };
        }
        long done = 0;
        var quarter = 0;
        return bytes =>
        {
            done += bytes;
            var reached = (int)(4 * done / length.Value);
            if (reached > quarter)
            {
                quarter = reached;
                context.Error.WriteLine($"{verb} {name}: {TextCell.Bytes(done)} of {TextCell.Bytes(length.Value)} ({25 * Math.Min(reached, 4)}%)");
            }
        };
    }
}

/// <summary>A read-only stream that reports every block read from it: an upload's progress as the HTTP client sends it.</summary>
internal sealed class ReportingStream(Stream inner, Action<long> report) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => inner.CanSeek;
    public override bool CanWrite => false;
    public override long Length => inner.Length;
    public override long Position { get => inner.Position; set => inner.Position = value; }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = inner.Read(buffer, offset, count);
        report(read);
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        report(read);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
