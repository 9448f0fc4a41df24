using System.CommandLine;
using Challenge.Cli.Client;

namespace Challenge.Cli.Commands;

/// <summary>
/// <c>challenge configure</c>: saves the server and token in the configuration file, or, with
/// neither option, shows which server and token the other commands would use and where each comes from.
/// </summary>
internal static class ConfigureCommand
{
    public static Command Create(CliContext context)
    {
        var server = new Option<string?>("--server") { Description = "Server URL to save, e.g. https://challenge.example.org." };
        var token = new Option<string?>("--token") { Description = "Personal API token (chl_…) to save; create one on the server's account page." };
        var command = new Command("configure", "Save the server URL and API token in the configuration file, or show the current ones.") { server, token };
        command.SetAction(parse => Execute(parse.GetValue(server), parse.GetValue(token), context));
        return command;
    }

    private static int Execute(string? server, string? token, CliContext context)
    {
        try
        {
            var existing = ConfigFile.Read(context);
            if (server is null && token is null)
            {
                Show(existing, context);
                return ExitCodes.Success;
            }
            if (server is not null && ClientSettings.ParseServer(server) is null)
            {
                throw new CliException($"'{server}' is not an http:// or https:// URL.");
            }
            if (token is not null && !token.Trim().StartsWith("chl_", StringComparison.Ordinal))
            {
                context.Error.WriteLine("warning: API tokens start with chl_; saving it anyway.");
            }
            var updated = new ConfigFile(
                server is null ? existing?.Server : ClientSettings.ParseServer(server)!.ToString(),
                string.IsNullOrWhiteSpace(token) ? existing?.Token : token.Trim());
            updated.Write(context.ConfigPath);
            context.Output.WriteLine($"Saved to {context.ConfigPath} (readable by you only).");
            return ExitCodes.Success;
        }
        catch (CliException exception)
        {
            context.Error.WriteLine($"error: {exception.Message}");
            return exception.ExitCode;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            context.Error.WriteLine($"error: cannot write {context.ConfigPath}: {exception.Message}");
            return ExitCodes.Failure;
        }
    }

    private static void Show(ConfigFile? file, CliContext context)
    {
        var serverVariable = context.GetEnvironmentVariable(ClientSettings.ServerVariable);
        var tokenVariable = context.GetEnvironmentVariable(ClientSettings.TokenVariable);
        context.Output.WriteLine($"configuration file  {context.ConfigPath}{(file is null ? " (none)" : "")}");
        context.Output.WriteLine(Line("server", serverVariable, ClientSettings.ServerVariable, file?.Server, context.ConfigPath, v => v));
        context.Output.WriteLine(Line("token", tokenVariable, ClientSettings.TokenVariable, file?.Token, context.ConfigPath, Mask));
    }

    private static string Line(string name, string? variable, string variableName, string? fromFile, string path, Func<string, string> show) =>
        !string.IsNullOrWhiteSpace(variable) ? $"{name,-19} {show(variable.Trim())} (from {variableName})"
        : !string.IsNullOrWhiteSpace(fromFile) ? $"{name,-19} {show(fromFile)} (from {path})"
        : $"{name,-19} not set";

    // Enough to tell two tokens apart, not enough to use one.
    private static string Mask(string token) => token.Length <= 10 ? "****" : token[..8] + "…" + token[^2..];
}
