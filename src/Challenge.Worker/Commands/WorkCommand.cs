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

        var loop = new WorkLoop(server, new WorkLoopSettings(settings.Device, settings.Once, settings.Cache, settings.Poll), output, error);
        return await loop.RunAsync(hasCuda, stopping);
    }

    public static (bool HasCuda, string Description) ProbeDevices(DevicePreference preference, TextWriter output)
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
