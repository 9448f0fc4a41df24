namespace Challenge.Worker.Commands;

/// <summary>A mistake in the command line: reported with the usage text and exit code 2.</summary>
public sealed class CommandLineException(string message) : Exception(message);
