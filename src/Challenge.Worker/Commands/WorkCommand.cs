using System.Globalization;
using Challenge.Ml.Backends;
using Challenge.Ml.Training;
using Challenge.Worker.Server;

namespace Challenge.Worker.Commands;

/// <summary>
/// Server mode: registers with the server, then leases baseline runs one after the other,
/// downloads their data, trains with progress reports, and uploads the predictions.
/// </summary>
public static class WorkCommand
{
    public const string TokenVariable = "CHALLENGE_WORKER_TOKEN";

    public const string Usage = """
        usage: challenge-worker work --server URL [--token TOKEN] [options]
          --server URL       the Challenge server, e.g. https://challenge.example.org
          --token TOKEN      worker token made on the server's "Baseline workers" page
                             (default: the environment variable CHALLENGE_WORKER_TOKEN, which keeps it out of process lists)
          --device D         what this machine offers: auto | cpu | cuda   (default auto: CUDA when usable)
          --once             exit after one run (exit code 0 when it succeeded)
          --cache DIR        where downloaded data is kept between runs (default ~/.cache/challenge-worker)
          --poll SECONDS     wait between looks at an empty queue (default 5)
          --name NAME        machine name reported to the server (default the host name)
        Ctrl+C stops the worker; a run in progress goes back to the queue.
        """;

    private static readonly HashSet<string> Options = ["--server", "--token", "--device", "--cache", "--poll", "--name"];
    private static readonly HashSet<string> Flags = ["--once"];

    private enum Outcome
    {
        Succeeded,
        Failed,
        Cancelled,
        LeaseLost,
        Stopped,
    }

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken stopping)
    {
        Settings settings;
        try
        {
            settings = Settings.Parse(new CommandArguments(args, Options, Flags));
        }
        catch (CommandLineException exception)
        {
            error.WriteLine(exception.Message);
            error.WriteLine(Usage);
            return 2;
        }

        bool hasCuda;
        string devices;
        try
        {
            (hasCuda, devices) = ProbeDevices(settings.Device, output);
        }
        catch (InvalidOperationException exception)
        {
            error.WriteLine($"error: {exception.Message}");
            return 1;
        }

        using var server = new ServerClient(settings.Server, settings.Token);
        WorkerInfo worker;
        try
        {
            worker = await server.RegisterAsync(new RegistrationRequest(settings.Name, devices), stopping);
        }
        catch (Exception exception) when (exception is ServerException or HttpRequestException)
        {
            error.WriteLine($"error: could not register with {settings.Server}: {exception.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            return 0;
        }
        output.WriteLine($"registered as worker '{worker.Name}' ({(worker.AllChallenges ? "every challenge" : "its maker's challenges")}); devices: {devices}; lease {worker.LeaseSeconds} s");

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
            var outcome = await RunLeaseAsync(server, lease, settings, output, error, stopping);
            if (settings.Once || outcome == Outcome.Stopped)
            {
                return outcome == Outcome.Succeeded ? 0 : outcome == Outcome.Stopped ? 0 : 1;
            }
        }
        output.WriteLine("stopped");
        return 0;
    }

    private static async Task<Outcome> RunLeaseAsync(ServerClient server, Lease lease, Settings settings, TextWriter output, TextWriter error, CancellationToken stopping)
    {
        using var training = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var reporter = new RunReporter(server, lease, output, training);
        using var heartbeatStop = new CancellationTokenSource();
        var heartbeat = reporter.HeartbeatLoopAsync(heartbeatStop.Token);
        reporter.Log($"run {lease.RunId} (attempt {lease.Attempt}): {lease.Model}, {lease.Epochs} epochs, device {lease.Device}, task {lease.Challenge}/{lease.Task}");
        try
        {
            var paths = await DownloadAsync(server, lease, settings.Cache, reporter, training.Token);
            var request = new TrainingRequest(
                paths["train"], paths["test"], paths.GetValueOrDefault("unlabelled"), lease.Model, DeviceFor(lease, settings.Device),
                ValidationFraction: 0.1f, Threshold: 0.8f, PseudoShare: 0.5f, StudentEpochs: null,
                new TrainingOptions { Epochs = lease.Epochs, Seed = lease.Seed });
            var result = await Task.Run(() => TrainingPipeline.Run(request, reporter.Log, reporter, training.Token), training.Token);

            var predictions = Path.Combine(settings.Cache, "predictions", $"run-{lease.RunId}.csv");
            PredictionWriter.Write(predictions, result.Predictions, result.ClassNames, lease.IdColumn, lease.TargetColumn);
            reporter.Log($"trained in {result.Elapsed.TotalSeconds:0.0} s on {result.Device}; uploading {result.Predictions.Length} predictions");
            await StopHeartbeatAsync(heartbeatStop, heartbeat);
            if (!await reporter.SendAsync(stopping))
            {
                return reporter.CancelledByServer ? Cancelled(output, lease) : Lost(error, lease, reporter.LostReason);
            }
            var accepted = await server.UploadPredictionsAsync(lease, predictions, stopping);
            output.WriteLine($"run {lease.RunId} done: submission {accepted.SubmissionId} is queued for scoring");
            File.Delete(predictions);
            return Outcome.Succeeded;
        }
        catch (OperationCanceledException) when (reporter.CancelledByServer)
        {
            return Cancelled(output, lease);
        }
        catch (OperationCanceledException) when (reporter.LeaseLost)
        {
            return Lost(error, lease, reporter.LostReason);
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
            return Lost(error, lease, exception.Message);
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

    private static Outcome Cancelled(TextWriter output, Lease lease)
    {
        output.WriteLine($"run {lease.RunId} was cancelled by an organizer");
        return Outcome.Cancelled;
    }

    private static Outcome Lost(TextWriter error, Lease lease, string? reason)
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
    private static async Task<Dictionary<string, string>> DownloadAsync(ServerClient server, Lease lease, string cache, RunReporter reporter, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(cache, SafeName(lease.Challenge, "challenge"));
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

    private static (bool HasCuda, string Description) ProbeDevices(DevicePreference preference, TextWriter output)
    {
        using var backend = BackendFactory.Create(preference, output.WriteLine);
        return (backend.Kind == DeviceKind.Cuda, backend.Kind == DeviceKind.Cuda ? $"{backend.Name}; cpu" : backend.Name);
    }

    private sealed record Settings(Uri Server, string Token, DevicePreference Device, bool Once, string Cache, TimeSpan Poll, string Name)
    {
        public static Settings Parse(CommandArguments arguments)
        {
            var serverText = arguments.Required("--server");
            if (!Uri.TryCreate(serverText.EndsWith('/') ? serverText : serverText + "/", UriKind.Absolute, out var server) || server.Scheme is not ("http" or "https"))
            {
                throw new CommandLineException($"--server must be an http or https address, not '{serverText}'.");
            }
            var token = arguments.Optional("--token") ?? Environment.GetEnvironmentVariable(TokenVariable);
            if (string.IsNullOrWhiteSpace(token))
            {
                throw new CommandLineException($"Give the worker token with --token or in {TokenVariable}.");
            }
            DevicePreference device;
            try
            {
                device = BackendFactory.ParsePreference(arguments.String("--device", "auto"));
            }
            catch (ArgumentException exception)
            {
                throw new CommandLineException(exception.Message);
            }
            var pollText = arguments.String("--poll", "5");
            if (!double.TryParse(pollText, NumberStyles.Float, CultureInfo.InvariantCulture, out var poll) || poll is < 0.1 or > 3600)
            {
                throw new CommandLineException($"--poll must be a number of seconds between 0.1 and 3600, not '{pollText}'.");
            }
            var cache = arguments.Optional("--cache")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "challenge-worker");
            return new Settings(server, token.Trim(), device, arguments.Has("--once"), Path.GetFullPath(cache), TimeSpan.FromSeconds(poll),
                arguments.String("--name", Environment.MachineName));
        }
    }
}
