namespace Challenge.Cli.Client;

/// <summary>
/// What the client commands take from the world: where to write, how to reach the server, the
/// environment and the configuration file. Tests replace each part; the tool uses <see cref="ForConsole"/>.
/// </summary>
internal sealed record CliContext
{
    public required TextWriter Output { get; init; }

    public required TextWriter Error { get; init; }

    /// <summary>Creates the client for a server; the command disposes it when done.</summary>
    public required Func<Uri, HttpClient> ClientFactory { get; init; }

    public required Func<string, string?> GetEnvironmentVariable { get; init; }

    public required string ConfigPath { get; init; }

    /// <summary>Whether progress lines may redraw themselves with a carriage return (a terminal, not a file or pipe).</summary>
    public bool ShowProgress { get; init; }

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    public static string DefaultConfigPath =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config", "challenge", "config.json");

    public static CliContext Create(TextWriter output, TextWriter error, Func<Uri, HttpClient>? clientFactory) => new()
    {
        Output = output,
        Error = error,
        ClientFactory = clientFactory ?? CreateDefaultClient,
        GetEnvironmentVariable = Environment.GetEnvironmentVariable,
        ConfigPath = DefaultConfigPath,
        ShowProgress = ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected,
    };

    // Uploads and downloads of several GB take longer than any fixed request timeout, so only the
    // connection attempt is bounded; a stalled transfer is stopped with Ctrl+C.
    private static HttpClient CreateDefaultClient(Uri server)
    {
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(15), AutomaticDecompression = System.Net.DecompressionMethods.All };
        var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.UserAgent.ParseAdd($"challenge-cli/{typeof(CliContext).Assembly.GetName().Version?.ToString(3) ?? "0"}");
        return client;
    }
}
