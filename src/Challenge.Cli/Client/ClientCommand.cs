using System.CommandLine;
using Challenge.Cli.Commands;

namespace Challenge.Cli.Client;

/// <summary>
/// What every command that talks to the server shares: the --server and --token options, and
/// turning any problem into one "error: …" line and an exit code.
/// </summary>
internal sealed class ClientCommand
{
    private readonly Option<string?> _server = new("--server") { Description = $"Server URL, e.g. https://challenge.example.org (default: {ClientSettings.ServerVariable}, then the configuration file)." };
    private readonly Option<string?> _token = new("--token") { Description = $"Personal API token chl_… (default: {ClientSettings.TokenVariable}, then the configuration file)." };

    public ClientCommand(Command command)
    {
        command.Options.Add(_server);
        command.Options.Add(_token);
    }

    public async Task<int> RunAsync(ParseResult parse, CliContext context, Func<ApiClient, Task<int>> action, CancellationToken cancellationToken)
    {
        try
        {
            var settings = ClientSettings.Resolve(parse.GetValue(_server), parse.GetValue(_token), context);
            using var client = new ApiClient(context.ClientFactory(settings.Server), settings);
            return await action(client);
        }
        catch (CliException exception)
        {
            context.Error.WriteLine($"error: {exception.Message}");
            return exception.ExitCode;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            context.Error.WriteLine("Stopped.");
            return ExitCodes.Failure;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            context.Error.WriteLine($"error: {exception.Message}");
            return ExitCodes.Failure;
        }
    }

    public static string Escape(string segment) => Uri.EscapeDataString(segment);
}
