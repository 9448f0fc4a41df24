using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Challenge.Scoring;

namespace Challenge.Benchmarks.Scoring;

/// <summary>
/// Scoring throughput and memory on one core: the solution is loaded once (as the server does),
/// then the submission file is validated and scored from disk, repeatedly; the median run is
/// reported. Optionally runs bench/scoring_reference.py (pandas.read_csv + sklearn.metrics)
/// on the very same files and prints the ratio.
/// </summary>
internal static class ScoringBenchmark
{
    private sealed record Scenario(string Name, string Solution, string Submission, TaskDefinition Task, int Rows, int Repeats);

    private sealed record Measurement(Scenario Scenario, double MedianSeconds, double BestSeconds, double? Overall, long AllocatedBytes, long SolutionHeapBytes);

    public static int Run(string[] args)
    {
        int largeRows = IntOption(args, "--large-rows") ?? 10_000_000;
        string? python = StringOption(args, "--python");
        string? keep = StringOption(args, "--keep");
        PinToOneCore();

        string directory = keep ?? Path.Combine(Path.GetTempPath(), "challenge-scoring-bench-" + Environment.ProcessId);
        Directory.CreateDirectory(directory);
        try
        {
            var scenarios = Prepare(directory, largeRows);
            Console.WriteLine($"Scoring benchmark: .NET {Environment.Version}, {Environment.ProcessorCount} logical CPUs, pinned to one core: {OperatingSystem.IsLinux()}");
            Console.WriteLine();
            Console.WriteLine($"{"scenario",-34} {"file MB",8} {"median ms",10} {"best ms",9} {"rows/s",14} {"alloc MB",9} {"solution MB",11} {"overall",10}");
            var results = new List<Measurement>();
            foreach (var scenario in scenarios)
            {
                var m = Measure(scenario);
                results.Add(m);
                double fileMb = new FileInfo(scenario.Submission).Length / 1048576.0;
                Console.WriteLine(FormattableString.Invariant(
                    $"{scenario.Name,-34} {fileMb,8:0.0} {m.MedianSeconds * 1000,10:0.00} {m.BestSeconds * 1000,9:0.00} {scenario.Rows / m.MedianSeconds,14:N0} {m.AllocatedBytes / 1048576.0,9:0.0} {m.SolutionHeapBytes / 1048576.0,11:0.0} {m.Overall,10:0.000000}"));
            }
            Console.WriteLine();
            Console.WriteLine(FormattableString.Invariant($"peak working set of the whole process (file generation included): {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:0} MB"));
            Console.WriteLine("alloc MB = managed bytes allocated while validating and scoring one file (prediction slots sized by the solution, plus the read buffer);");
            Console.WriteLine("solution MB = managed heap growth from loading the solution once.");

            if (python is not null)
            {
                CompareWithPython(python, directory, results);
            }
            return 0;
        }
        finally
        {
            if (keep is null)
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private static List<Scenario> Prepare(string directory, int largeRows)
    {
        string P(string name) => Path.Combine(directory, name);
        var labelTask = new TaskDefinition { Kind = TaskKind.Label, Metric = "accuracy", Seed = 1 };
        var probabilityTask = new TaskDefinition { Kind = TaskKind.Probability, Metric = "log_loss", Seed = 1 };
        if (!File.Exists(P("labels_20k_submission.csv")))
        {
            BenchmarkFiles.WriteLabels(P("labels_20k_solution.csv"), P("labels_20k_submission.csv"), 20_000, seed: 1);
            BenchmarkFiles.WriteLabels(P("labels_large_solution.csv"), P("labels_large_submission.csv"), largeRows, seed: 2);
            BenchmarkFiles.WriteProbabilities(P("probabilities_solution.csv"), P("probabilities_submission.csv"), 100_000, 121, seed: 3);
        }
        return
        [
            new("label 20,000 rows (accuracy)", P("labels_20k_solution.csv"), P("labels_20k_submission.csv"), labelTask, 20_000, 200),
            new($"label {largeRows:N0} rows (accuracy)", P("labels_large_solution.csv"), P("labels_large_submission.csv"), labelTask, largeRows, 5),
            new("probability 100,000 x 121 (log_loss)", P("probabilities_solution.csv"), P("probabilities_submission.csv"), probabilityTask, 100_000, 5),
        ];
    }

    private static Measurement Measure(Scenario scenario)
    {
        GC.Collect();
        long heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        Solution solution;
        using (var stream = File.OpenRead(scenario.Solution))
        {
            solution = Solution.Load(stream, scenario.Task).Value ?? throw new InvalidOperationException("benchmark solution rejected");
        }
        long solutionHeap = GC.GetTotalMemory(forceFullCollection: true) - heapBefore;

        double? overall = null;
        long allocated = 0;
        var seconds = new List<double>();
        for (int run = -2; run < scenario.Repeats; run++)
        {
            long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var watch = Stopwatch.StartNew();
            using (var stream = new FileStream(scenario.Submission, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan))
            {
                var outcome = solution.Score(stream);
                overall = outcome.Value?.Overall ?? throw new InvalidOperationException("benchmark submission rejected: " + outcome.Report.Errors[0].Message);
            }
            watch.Stop();
            if (run >= 0)
            {
                seconds.Add(watch.Elapsed.TotalSeconds);
                allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            }
        }
        seconds.Sort();
        GC.KeepAlive(solution);
        return new Measurement(scenario, seconds[seconds.Count / 2], seconds[0], overall, allocated, solutionHeap);
    }

    private static void CompareWithPython(string python, string directory, List<Measurement> results)
    {
        string script = FindScript();
        var start = new ProcessStartInfo(python, [script, directory]) { RedirectStandardOutput = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start " + python);
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();

        Console.WriteLine();
        Console.WriteLine("Same files with pandas.read_csv + sklearn.metrics (bench/scoring_reference.py), solution read beforehand as above:");
        Console.WriteLine($"{"scenario",-34} {"python ms",10} {"C# ms",10} {"C# faster by",13} {"python value",14} {"C# value",14}");
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            string submission = root.GetProperty("submission").GetString()!;
            var ours = results.Single(r => Path.GetFileName(r.Scenario.Submission) == submission);
            double pythonSeconds = root.GetProperty("seconds").GetDouble();
            Console.WriteLine(FormattableString.Invariant(
                $"{ours.Scenario.Name,-34} {pythonSeconds * 1000,10:0.0} {ours.MedianSeconds * 1000,10:0.0} {pythonSeconds / ours.MedianSeconds,12:0.0}x {root.GetProperty("value").GetDouble(),14:0.000000} {ours.Overall,14:0.000000}"));
        }
    }

    private static string FindScript()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "bench", "scoring_reference.py");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException("bench/scoring_reference.py not found above the current directory");
    }

    private static void PinToOneCore()
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsWindows())
        {
            Process.GetCurrentProcess().ProcessorAffinity = 1;
        }
    }

    private static string? StringOption(string[] args, string name)
    {
        int index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    private static int? IntOption(string[] args, string name) =>
        StringOption(args, name) is string text ? int.Parse(text, CultureInfo.InvariantCulture) : null;
}
