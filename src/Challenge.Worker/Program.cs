using Challenge.Worker.Commands;

// challenge-worker: one command per file under Commands/; this file only dispatches.
const string usage = """
    usage: challenge-worker <command> [options]
    commands:
      train    train a reference model on local files and write predictions (no server needed)
      work     serve a Challenge server: lease baseline runs, train them, upload the predictions
      check    verify this machine's CUDA backend against the CPU (agreement checks)
    run "challenge-worker <command> --help" for a command's options.
    """;

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine(usage);
    return args.Length == 0 ? 2 : 0;
}

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // First Ctrl+C stops training cleanly; a second one kills the process.
    e.Cancel = !cancellation.IsCancellationRequested;
    cancellation.Cancel();
};
// A service manager's stop (SIGTERM) is a clean stop too: a run in progress goes back to the queue.
using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancellation.Cancel();
});

var commandArgs = args[1..];
switch (args[0])
{
    case "train" when commandArgs.Contains("--help"):
        Console.WriteLine(TrainCommand.Usage);
        return 0;
    case "train":
        return TrainCommand.Run(commandArgs, Console.Out, Console.Error, cancellation.Token);
    case "work" when commandArgs.Contains("--help"):
        Console.WriteLine(WorkCommand.Usage);
        return 0;
    case "work":
        return await WorkCommand.RunAsync(commandArgs, Console.Out, Console.Error, cancellation.Token);
    case "check" when commandArgs.Contains("--help"):
        Console.WriteLine(CheckCommand.Usage);
        return 0;
    case "check":
        return CheckCommand.Run(Console.Out, Console.Error);
    default:
        Console.Error.WriteLine($"Unknown command '{args[0]}'.");
        Console.Error.WriteLine(usage);
        return 2;
}
