namespace Challenge.Cli.Commands;

/// <summary>Process exit codes shared by every command.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Bad arguments, a file that cannot be opened, or another problem that is not the file's content.</summary>
    public const int Failure = 1;

    /// <summary>A file was read and rejected; the errors say why.</summary>
    public const int Rejected = 2;
}
