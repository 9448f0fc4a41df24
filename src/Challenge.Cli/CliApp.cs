using System.CommandLine;
using Challenge.Cli.Client;
using Challenge.Cli.Commands;

namespace Challenge.Cli;

/// <summary>Entry point of the <c>challenge</c> tool: one sub-command per file under Commands/.</summary>
public static class CliApp
{
    /// <summary>Parses <paramref name="args"/>, runs the chosen command and returns its exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error) => Run(args, output, error, null);

    /// <summary>
    /// As <see cref="Run(string[], TextWriter, TextWriter)"/>, with the HTTP client that the server
    /// commands use made by <paramref name="clientFactory"/> (for instance one bound to an in-process server).
    /// </summary>
    public static int Run(string[] args, TextWriter output, TextWriter error, Func<Uri, HttpClient>? clientFactory) =>
        Parse(args, CliContext.Create(output, error, clientFactory)).Invoke(Configuration(output, error));

    /// <summary>Runs asynchronously; Ctrl+C cancels a transfer or a wait.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, Func<Uri, HttpClient>? clientFactory = null, CancellationToken cancellationToken = default) =>
        RunAsync(args, CliContext.Create(output, error, clientFactory), cancellationToken);

    internal static Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken = default) =>
        Parse(args, context).InvokeAsync(Configuration(context.Output, context.Error), cancellationToken);

    private static ParseResult Parse(string[] args, CliContext context)
    {
        var root = new RootCommand("Client and tools for the Challenge competition server.");
        foreach (var command in CreateCommands(context))
        {
            root.Subcommands.Add(command);
        }
        return root.Parse(args);
    }

    private static InvocationConfiguration Configuration(TextWriter output, TextWriter error) => new() { Output = output, Error = error };

    // A new command is one more line here and one more file under Commands/.
    private static IEnumerable<Command> CreateCommands(CliContext context) =>
    [
        ScoreCommand.Create(context.Output, context.Error),
        ConfigureCommand.Create(context),
        SubmitCommand.Create(context),
        SubmissionsCommand.Create(context),
        LeaderboardCommand.Create(context),
        DownloadCommand.Create(context),
        CompetitionsCommand.Create(context),
        BundleCommand.Create(context),
    ];
}
