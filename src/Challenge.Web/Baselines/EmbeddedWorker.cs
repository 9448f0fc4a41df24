using System.Text;
using Challenge.Core.Baselines;
using Challenge.Core.Data;
using Challenge.Core.Storage;
using Challenge.Ml.Backends;
using Challenge.Worker.Commands;
using Microsoft.Extensions.Options;

namespace Challenge.Web.Baselines;

/// <summary>
/// Trains queued baseline runs inside the server (Baselines:EmbeddedWorker), so a single machine
/// needs no second process. It runs the outside worker's own loop over <see cref="EmbeddedRunServer"/>:
/// the same lease, progress, cancel and upload steps, so a run leased by it is never taken by an
/// outside worker and the other way round. Training uses Baselines:EmbeddedWorkerThreads cores.
/// </summary>
internal sealed class EmbeddedWorker(
    BaselineQueue queue,
    ChallengePaths paths,
    IOptions<BaselineOptions> options,
    IOptions<DatabaseOptions> database,
    ILogger<EmbeddedWorker> logger) : BackgroundService
{
    // An empty queue is looked at this often; each look is one small indexed query.
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.EmbeddedWorkerOn(database.Value.Provider))
        {
            return;
        }
        // Training is CPU-bound and synchronous; leave the host's start to finish first.
        await Task.Yield();
        var threads = options.Value.EmbeddedThreads;
        var output = new LogWriter(logger, LogLevel.Debug);
        var error = new LogWriter(logger, LogLevel.Warning);
        var (hasCuda, devices) = WorkCommand.ProbeDevices(DevicePreference.Auto, output);
        logger.LogInformation("The embedded baseline worker trains queued runs on {Devices}, at most {Threads} CPU threads", devices, threads);
        var settings = new WorkLoopSettings(DevicePreference.Auto, Once: false, Path.Combine(paths.DataDirectory, "worker-cache"), Poll, threads);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await new WorkLoop(new EmbeddedRunServer(queue), settings, output, error).RunAsync(hasCuda, stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // The loop reports a run's own failures; this is the queue itself failing (the
                // database away for a moment). Its lease expires and the run is tried again.
                logger.LogWarning(exception, "The embedded baseline worker stopped on an error; it starts again in {Delay}", Poll * 5);
                try
                {
                    await Task.Delay(Poll * 5, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    // The loop writes lines for a console; here they go to the server's log.
    private sealed class LogWriter(ILogger logger, LogLevel level) : TextWriter
    {
        public override Encoding Encoding => Encoding.UTF8;

        public override void WriteLine(string? value)
        {
            if (value is not null && logger.IsEnabled(level))
            {
#pragma warning disable CA2254 // The line is the worker's own message.
                logger.Log(level, "embedded worker: {Line}", value);
#pragma warning restore CA2254
            }
        }
    }
}
