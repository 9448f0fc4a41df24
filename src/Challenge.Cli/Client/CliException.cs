using Challenge.Cli.Commands;

namespace Challenge.Cli.Client;

/// <summary>A problem to report as one line "error: …" and end the command with <see cref="ExitCode"/>.</summary>
internal sealed class CliException(string message, int exitCode = ExitCodes.Failure) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
