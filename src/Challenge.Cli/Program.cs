namespace Challenge.Cli;

// A named class in a namespace, not top-level statements: a global Program would clash with the
// web server's in test projects that reference both.
internal static class Program
{
    public static Task<int> Main(string[] args) => CliApp.RunAsync(args, Console.Out, Console.Error);
}
