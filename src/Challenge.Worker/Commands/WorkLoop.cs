using Challenge.Ml.Backends;
using Challenge.Ml.Models;
using Challenge.Ml.Training;
using Challenge.Worker.Server;

namespace Challenge.Worker.Commands;

/// <param name="Device">What the machine offers: cpu never uses a GPU.</param>
/// <param name="Once">Return after one run.</param>
/// <param name="Cache">Where downloaded data is kept between runs.</param>
/// <param name="Poll">Wait between looks at an empty queue.</param>
/// <param name="CpuThreads">Threads training may use on the CPU (null: every core).</param>
public sealed record WorkLoopSettings(DevicePreference Device, bool Once, string Cache, TimeSpan Poll, int? CpuThreads = null);

/// <summary>
/// Leases baseline runs one after the other, downloads their data, trains with progress reports
/// and uploads the predictions; a failure is reported with its message, a stop gives the run back.
/// The same loop serves an outside worker (over HTTP) and the server's embedded one.
/// </summary>
public sealed class WorkLoop(IRunServer server, WorkLoopSettings settings, TextWriter output, TextWriter error)
{
    private enum Outcome
    {
        Succeeded,
        Failed,
        Cancelled,
        LeaseLost,
        Stopped,
    }

    /// <returns>The exit code: 0 when stopped, or when <see cref="WorkLoopSettings.Once"/> and the run succeeded.</returns>
    public async Task<int> RunAsync(bool hasCuda, CancellationToken stopping)
    {
        var idle = true;
        while (!stopping.IsCancellationRequested)
        {
            Lease? lease;
            try
            {
                lease = await server.LeaseAsync(hasCuda, stopping);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (Exception exception) when (exception is ServerException or HttpRequestException)
            {
                error.WriteLine($"warning: asking for work failed: {exception.Message}");
                lease = null;
                if (exception is ServerException { Status: System.Net.HttpStatusCode.Unauthorized })
                {
                    return 1;
                }
            }

            if (lease is null)
            {
                if (idle)
                {
                    output.WriteLine("waiting for a baseline run…");
                    idle = false;
                }
                try
                {
                    await Task.Delay(settings.Poll, stopping);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                continue;
            }

            idle = true;
            var outcome = await RunLeaseAsync(lease, stopping);
            if (settings.Once || outcome == Outcome.Stopped)
            {
                return outcome == Outcome.Succeeded ? 0 : outcome == Outcome.Stopped ? 0 : 1;
            }
        }
        output.WriteLine("stopped");
        return 0;
    }


    private async Task<Outcome> RunLeaseAsync(Lease lease, CancellationToken stopping)
    {
        using var training = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var reporter = new RunReporter(server, lease, output, training);
        using var heartbeatStop = new CancellationTokenSource();
        var heartbeat = reporter.HeartbeatLoopAsync(heartbeatStop.Token);
        reporter.Log($"run {lease.RunId} (attempt {lease.Attempt}): {lease.Model}, {lease.Epochs} epochs, device {lease.Device}, task {lease.Challenge}/{lease.Task}");
        try
        {
            var paths = await DownloadAsync(lease, reporter, training.Token);
            var request = new TrainingRequest(
                paths["train"], paths["test"], paths.GetValueOrDefault("unlabelled"), lease.Model, DeviceFor(lease, settings.Device),
                ValidationFraction: 0.1f, Threshold: 0.8f, PseudoShare: 0.5f, StudentEpochs: null,
                new TrainingOptions { Epochs = lease.Epochs, Seed = lease.Seed, LearningRate = ModelFactory.ReferenceLearningRate(lease.Model) }, settings.CpuThreads);
            var result = await Task.Run(() => TrainingPipeline.Run(request, reporter.Log, reporter, training.Token), training.Token);

            var predictions = Path.Combine(settings.Cache, "predictions", $"run-{lease.RunId}.csv");
            if (lease.WantsProbabilities)
            {
                PredictionWriter.WriteProbabilities(predictions, result.Probabilities, result.ClassCount, result.ClassNames, lease.Classes ?? [], lease.IdColumn);
            }
            else
            {
                PredictionWriter.Write(predictions, result.Predictions, result.ClassNames, lease.IdColumn, lease.TargetColumn);
            }
            reporter.Log($"trained in {result.Elapsed.TotalSeconds:0.0} s on {result.Device}; uploading {result.Predictions.Length} {(lease.WantsProbabilities ? "probability rows" : "predictions")}");
            await StopHeartbeatAsync(heartbeatStop, heartbeat);
            if (!await reporter.SendAsync(stopping))
            {
                return reporter.CancelledByServer ? Cancelled(lease) : Lost(lease, reporter.LostReason);
            }
            var accepted = await server.UploadPredictionsAsync(lease, predictions, stopping);
            output.WriteLine($"run {lease.RunId} done: submission {accepted.SubmissionId} is queued for scoring");
            File.Delete(predictions);
            return Outcome.Succeeded;
        }
        catch (OperationCanceledException) when (reporter.CancelledByServer)
        {
            return Cancelled(lease);
        }
        catch (OperationCanceledException) when (reporter.LeaseLost)
        {
            return Lost(lease, reporter.LostReason);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            await StopHeartbeatAsync(heartbeatStop, heartbeat);
            output.WriteLine($"stopping: giving run {lease.RunId} back to the queue");
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                await server.ReleaseAsync(lease, timeout.Token);
            }
            catch (Exception exception) when (exception is ServerException or HttpRequestException or OperationCanceledException)
            {
                error.WriteLine($"warning: could not give the run back ({exception.Message}); it returns to the queue when its lease expires");
            }
            return Outcome.Stopped;
        }
        catch (ServerException exception) when (exception.LeaseLost)
        {
            return Lost(lease, exception.Message);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            await StopHeartbeatAsync(heartbeatStop, heartbeat);
            var message = exception is IOException or InvalidDataException or NotSupportedException or ArgumentException
                or InvalidOperationException or UnauthorizedAccessException or ServerException or HttpRequestException
                ? exception.Message
                : $"{exception.GetType().Name}: {exception.Message}";
            error.WriteLine($"run {lease.RunId} failed: {message}");
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await server.FailAsync(lease, new FailRequest(message, reporter.PendingLog()), timeout.Token);
            }
            catch (Exception reportError) when (reportError is ServerException or HttpRequestException or OperationCanceledException)
            {
                error.WriteLine($"warning: could not report the failure ({reportError.Message})");
            }
            return Outcome.Failed;
        }
        finally
        {
            await StopHeartbeatAsync(heartbeatStop, heartbeat);
        }
    }

    private Outcome Cancelled(Lease lease)
    {
        output.WriteLine($"run {lease.RunId} was cancelled by an organizer");
        return Outcome.Cancelled;
    }

    private Outcome Lost(Lease lease, string? reason)
    {
        error.WriteLine($"run {lease.RunId}: the lease was lost ({reason}); dropping the run");
        return Outcome.LeaseLost;
    }

    private static async Task StopHeartbeatAsync(CancellationTokenSource stop, Task heartbeat)
    {
        if (!stop.IsCancellationRequested)
        {
            await stop.CancelAsync();
        }
        await heartbeat;
    }

    // Files go to <cache>/<challenge>/<name> with a .sha256 note, so a later run on the same data
    // downloads nothing, and an IDX images file finds its labels file beside it.
    private async Task<Dictionary<string, string>> DownloadAsync(Lease lease, RunReporter reporter, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(settings.Cache, SafeName(lease.Challenge, "challenge"));
        Directory.CreateDirectory(directory);
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in lease.Files)
        {
            var path = Path.Combine(directory, SafeName(file.FileName, $"file-{file.Id}"));
            var note = path + ".sha256";
            if (File.Exists(path) && File.Exists(note) && (await File.ReadAllTextAsync(note, cancellationToken)).Trim() == file.Sha256)
            {
                reporter.Log($"data: {file.FileName} ({file.Role}) is cached");
            }
            else
            {
                reporter.Log($"data: downloading {file.FileName} ({file.Role}, {file.Length:N0} bytes)");
                await server.DownloadAsync(lease, file, path, cancellationToken);
                await File.WriteAllTextAsync(note, file.Sha256, cancellationToken);
            }
            paths[file.Role] = path;
        }
        if (!paths.ContainsKey("train") || !paths.ContainsKey("test"))
        {
            throw new InvalidDataException("The lease names no training or no test file.");
        }
        return paths;
    }

    private static string SafeName(string name, string fallback)
    {
        var safe = Path.GetFileName(name.Replace('\\', '/'));
        return safe.Length == 0 || safe.StartsWith('.') || safe.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 ? fallback : safe;
    }

    // The run's wish within what the machine offers: a run that asks for CUDA only reaches a
    // worker that said it has CUDA (the server sees to that).
    private static DevicePreference DeviceFor(Lease lease, DevicePreference machine) =>
        machine == DevicePreference.Cpu ? DevicePreference.Cpu : lease.Device switch
        {
            "cpu" => DevicePreference.Cpu,
            "cuda" => DevicePreference.Cuda,
            _ => DevicePreference.Auto,
        };
}
