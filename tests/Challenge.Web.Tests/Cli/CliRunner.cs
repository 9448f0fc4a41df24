using Challenge.Cli;
using Challenge.Cli.Client;

namespace Challenge.Web.Tests.Cli;

/// <summary>
/// Runs the <c>challenge</c> tool against the in-process server, with its own environment
/// variables and configuration file so that nothing on the test machine leaks in.
/// </summary>
public sealed class CliRunner : IDisposable
{
    public const string Server = "http://localhost";

    private readonly CompetitionSite _site;

    public CliRunner(CompetitionSite site)
    {
        _site = site;
        Directory.CreateDirectory(Folder);
    }

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "challenge-cli-tests", Guid.NewGuid().ToString("N"));

    public string ConfigPath => Path.Combine(Folder, "config", "challenge", "config.json");

    public Dictionary<string, string> Environment { get; } = [];

    /// <summary>When set, requests go through real sockets instead of to the in-process server.</summary>
    public bool UseRealNetwork { get; set; }

    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
    }

    public async Task<Result> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var defaults = CliContext.Create(output, error, null);
        var context = defaults with
        {
            ClientFactory = UseRealNetwork ? defaults.ClientFactory : _ => _site.Factory.CreateClient(),
            GetEnvironmentVariable = name => Environment.GetValueOrDefault(name),
            ConfigPath = ConfigPath,
            ShowProgress = false,
            PollInterval = TimeSpan.FromMilliseconds(50),
        };
        var exitCode = await CliApp.RunAsync(args, context);
        return new Result(exitCode, output.ToString(), error.ToString());
    }

    public string WriteFile(string name, string content)
    {
        var path = Path.Combine(Folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose()
    {
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }
}

/// <summary>One competition site for all the tool's tests; each test makes its own submissions.</summary>
public sealed class CliSiteFixture : IAsyncLifetime
{
    public CompetitionSite Site { get; private set; } = default!;

    public async Task InitializeAsync() => Site = await CompetitionSite.StartAsync(dailyLimit: 20);

    public async Task DisposeAsync() => await Site.DisposeAsync();
}
