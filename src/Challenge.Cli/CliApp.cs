using System.CommandLine;
using Challenge.Cli.Commands;

namespace Challenge.Cli;

/// <summary>Entry point of the <c>challenge</c> tool: one sub-command per file under Commands/.</summary>
public static class CliApp
{
    /// <summary>Parses <paramref name="args"/>, runs the chosen command and returns its exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("Client and tools for the Challenge competition server.");
        foreach (var command in CreateCommands(output, error))
        {
            root.Subcommands.Add(command);
        }
        var configuration = new InvocationConfiguration { Output = output, Error = error };
        return root.Parse(args).Invoke(configuration);
    }

    // A new command is one more line here and one more file under Commands/.
    private static IEnumerable<Command> CreateCommands(TextWriter output, TextWriter error) =>
    [
        ScoreCommand.Create(output, error),
    ];
}
