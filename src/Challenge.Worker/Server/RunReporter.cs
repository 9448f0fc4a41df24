using System.Collections.Concurrent;
using Challenge.Ml.Training;

namespace Challenge.Worker.Server;

/// <summary>
/// Collects a leased run's progress and log lines from the training thread and sends them to the
/// server: what is new every <see cref="ProgressInterval"/> (so an organizer watching sees the bar
/// move within an epoch), and an empty report at the lease's heartbeat interval when nothing is.
/// The answer of each report keeps the lease alive and says whether an organizer cancelled the
/// run; either that or a lost lease cancels the training.
/// </summary>
public sealed class RunReporter(IRunServer server, Lease lease, TextWriter output, CancellationTokenSource training) : IProgress<TrainingProgress>
{
    /// <summary>How often new progress is sent at most.</summary>
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(2);

    private const int MaxPerReport = 400;
    private readonly ConcurrentQueue<ProgressEntry> _progress = new();
    private readonly ConcurrentQueue<string> _log = new();
    private readonly SemaphoreSlim _sending = new(1, 1);

    public bool CancelledByServer { get; private set; }

    public bool LeaseLost { get; private set; }

    public string? LostReason { get; private set; }

    public void Report(TrainingProgress value)
    {
        output.WriteLine(value.ToString());
        _progress.Enqueue(new ProgressEntry(value.Stage, value.Epoch, value.Epochs, value.Batch, value.BatchesPerEpoch,
            double.IsFinite(value.Loss) ? value.Loss : 0, value.ValidationAccuracy, value.ExamplesPerSecond, Math.Max(0, value.Eta.TotalSeconds), value.Device));
        // A diverging model still reports; the line above and the log keep the NaN visible.
        if (!double.IsFinite(value.Loss))
        {
            Log($"warning: the training loss is {value.Loss}");
        }
    }

    public void Log(string line)
    {
        output.WriteLine(line);
        _log.Enqueue(line.Length > 1_900 ? line[..1_900] + "…" : line);
    }

    /// <summary>Reports what is new every progress interval, and at least every heartbeat interval, until <paramref name="stop"/> is cancelled.</summary>
    public async Task HeartbeatLoopAsync(CancellationToken stop)
    {
        var heartbeat = TimeSpan.FromSeconds(Math.Max(1, lease.HeartbeatSeconds));
        using var timer = new PeriodicTimer(heartbeat < ProgressInterval ? heartbeat : ProgressInterval);
        var lastSent = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                if (_progress.IsEmpty && _log.IsEmpty && lastSent.Elapsed < heartbeat)
                {
                    continue;
                }
                await SendAsync(stop);
                lastSent.Restart();
            }
        }
        catch (OperationCanceledException)
        {
            // The run ended.
        }
    }

    /// <summary>Sends what is pending now; returns false when the run may not go on.</summary>
    public async Task<bool> SendAsync(CancellationToken cancellationToken)
    {
        await _sending.WaitAsync(cancellationToken);
        try
        {
            do
            {
                var progress = Drain(_progress);
                var log = Drain(_log);
                try
                {
                    var answer = await server.ReportAsync(lease, new ReportRequest(progress, log), cancellationToken);
                    if (answer.Cancelled)
                    {
                        CancelledByServer = true;
                        await training.CancelAsync();
                        return false;
                    }
                }
                catch (ServerException exception) when (exception.LeaseLost)
                {
                    LeaseLost = true;
                    LostReason = exception.Message;
                    await training.CancelAsync();
                    return false;
                }
                catch (Exception exception) when (exception is HttpRequestException or ServerException)
                {
                    // The lease outlives several missed reports; the next one may get through.
                    output.WriteLine($"warning: progress report failed: {exception.Message}");
                    return true;
                }
            }
            while (!_progress.IsEmpty || !_log.IsEmpty);
            return true;
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>Log lines not yet sent, for a failure report.</summary>
    public List<string> PendingLog() => Drain(_log);

    private static List<T> Drain<T>(ConcurrentQueue<T> queue)
    {
        var items = new List<T>();
        while (items.Count < MaxPerReport && queue.TryDequeue(out var item))
        {
            items.Add(item);
        }
        return items;
    }
}
