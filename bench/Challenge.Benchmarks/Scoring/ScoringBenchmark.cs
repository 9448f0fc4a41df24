using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Challenge.Scoring;
using Challenge.Scoring.Significance;

namespace Challenge.Benchmarks.Scoring;

/// <summary>
/// Scoring throughput and memory on one core: the solution is loaded once (as the server does),
/// then the submission file is validated and scored from disk, repeatedly; the median run is
/// reported. Optionally runs bench/scoring_reference.py (pandas.read_csv + sklearn.metrics)
/// on the very same files and prints the ratio.
/// </summary>
internal static class ScoringBenchmark
{
    private sealed record Scenario(string Name, string Solution, string Submission, TaskDefinition Task, int Rows, int Repeats, bool TimeBootstrap);

    private sealed record Measurement(double SolutionLoadSeconds, double MedianSeconds, double BestSeconds, double Overall, long AllocatedBytes, long SolutionHeapBytes, long BaselineWorkingSet, long PeakWorkingSet, double? BootstrapSeconds);

    public static int Run(string[] args)
    {
        int largeRows = IntOption(args, "--large-rows") ?? 10_000_000;
        PinToOneCore();
        if (IntOption(args, "--measure") is int index)
        {
            // Child process: one scenario, so its peak working set is its own.
            var scenario = Scenarios(StringOption(args, "--dir")!, largeRows)[index];
            Console.WriteLine(JsonSerializer.Serialize(Measure(scenario)));
            return 0;
        }

        string? python = StringOption(args, "--python");
        string? keep = StringOption(args, "--keep");
        string directory = keep ?? Path.Combine(Path.GetTempPath(), "challenge-scoring-bench-" + Environment.ProcessId);
        Directory.CreateDirectory(directory);
        try
        {
            var scenarios = Scenarios(directory, largeRows);
            WriteFiles(directory, largeRows);
            Console.WriteLine($"Scoring benchmark: .NET {Environment.Version}, {Environment.ProcessorCount} logical CPUs, each scenario in its own process pinned to one core");
            if (File.Exists("/proc/loadavg"))
            {
                // Other work on the machine shows in the medians; the best runs show the code's own speed.
                Console.WriteLine($"load average before measuring: {File.ReadAllText("/proc/loadavg").Trim()}");
            }
            Console.WriteLine();
            Console.WriteLine($"{"scenario",-36} {"file MB",8} {"median ms",10} {"best ms",9} {"rows/s",12} {"alloc MB",9} {"solution MB",11} {"load ms",8} {"start WS MB",11} {"peak WS MB",10} {"overall",9}");
            var results = new List<Measurement>();
            for (int i = 0; i < scenarios.Count; i++)
            {
                var scenario = scenarios[i];
                var m = MeasureInChildProcess(i, directory, largeRows);
                results.Add(m);
                double fileMb = new FileInfo(scenario.Submission).Length / 1048576.0;
                Console.WriteLine(FormattableString.Invariant(
                    $"{scenario.Name,-36} {fileMb,8:0.0} {m.MedianSeconds * 1000,10:0.00} {m.BestSeconds * 1000,9:0.00} {scenario.Rows / m.MedianSeconds,12:N0} {m.AllocatedBytes / 1048576.0,9:0.0} {m.SolutionHeapBytes / 1048576.0,11:0.0} {m.SolutionLoadSeconds * 1000,8:0} {m.BaselineWorkingSet / 1048576.0,11:0} {m.PeakWorkingSet / 1048576.0,10:0} {m.Overall,9:0.0000}"));
            }
            Console.WriteLine();
            for (int i = 0; i < scenarios.Count; i++)
            {
                if (results[i].BootstrapSeconds is double bootstrap)
                {
                    Console.WriteLine(FormattableString.Invariant($"bootstrap 95% interval, 1,000 replicates of the public part: {scenarios[i].Name}: {bootstrap * 1000:0} ms"));
                }
            }
            Console.WriteLine();
            Console.WriteLine("alloc MB: managed bytes allocated while validating and scoring one file (prediction slots sized by the solution, plus the read buffer).");
            Console.WriteLine("solution MB / load ms: managed heap kept by the solution and the time to read it (once per task on the server).");
            Console.WriteLine("start WS: working set before loading the solution; peak WS: the measuring process's peak.");

            ParserComparison.Run(scenarios.Select(s => s.Submission).Distinct().Skip(1));

            if (python is not null)
            {
                CompareWithPython(python, directory, scenarios, results);
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

    private static Measurement MeasureInChildProcess(int index, string directory, int largeRows)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ScoringBenchmark).Assembly.Location);
        }
        foreach (string argument in new[] { "scoring", "--measure", index.ToString(CultureInfo.InvariantCulture), "--dir", directory, "--large-rows", largeRows.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start the measuring process");
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return JsonSerializer.Deserialize<Measurement>(output) ?? throw new InvalidOperationException("no measurement: " + output);
    }

    private static void WriteFiles(string directory, int largeRows)
    {
        string P(string name) => Path.Combine(directory, name);
        BenchmarkFiles.WriteLabels(P("labels_20k_solution.csv"), P("labels_20k_submission.csv"), 20_000, seed: 1);
        BenchmarkFiles.WriteLabels(P("labels_large_solution.csv"), P("labels_large_submission.csv"), largeRows, seed: 2);
        BenchmarkFiles.WriteProbabilities(P("probabilities_solution.csv"), P("probabilities_submission.csv"), 100_000, 121, seed: 3);
    }

    private static List<Scenario> Scenarios(string directory, int largeRows)
    {
        string P(string name) => Path.Combine(directory, name);
        var labelTask = new TaskDefinition { Kind = TaskKind.Label, Metric = "accuracy", Seed = 1 };
        var probabilityTask = new TaskDefinition { Kind = TaskKind.Probability, Metric = "log_loss", Seed = 1 };
        return
        [
            new("label 20,000 rows (accuracy)", P("labels_20k_solution.csv"), P("labels_20k_submission.csv"), labelTask, 20_000, 200, true),
            new($"label {largeRows:N0} rows (accuracy)", P("labels_large_solution.csv"), P("labels_large_submission.csv"), labelTask, largeRows, 5, false),
            new("probability 100,000 x 121 (log_loss)", P("probabilities_solution.csv"), P("probabilities_submission.csv"), probabilityTask, 100_000, 5, true),
            new("probability 100,000 x 121 (roc_auc)", P("probabilities_solution.csv"), P("probabilities_submission.csv"), probabilityTask with { Metric = "roc_auc" }, 100_000, 2, true),
        ];
    }

    private static Measurement Measure(Scenario scenario)
    {
        long baselineWorkingSet = Environment.WorkingSet;
        GC.Collect();
        long heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        Solution solution;
        var loadWatch = Stopwatch.StartNew();
        using (var stream = File.OpenRead(scenario.Solution))
        {
            solution = Solution.Load(stream, scenario.Task).Value ?? throw new InvalidOperationException("benchmark solution rejected");
        }
        loadWatch.Stop();
        long solutionHeap = GC.GetTotalMemory(forceFullCollection: true) - heapBefore;

        double? overall = null;
        long allocated = 0;
        var seconds = new List<double>();
        for (int run = -2; run < scenario.Repeats; run++)
        {
            // The previous run's prediction arrays are garbage; collect them untimed so the peak
            // working set shows what scoring one file needs, as on the server.
            GC.Collect();
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
        double? bootstrapSeconds = null;
        if (scenario.TimeBootstrap)
        {
            using var stream = File.OpenRead(scenario.Submission);
            var submission = solution.ReadSubmission(stream).Value!;
            var watch = Stopwatch.StartNew();
            Bootstrap.Interval(submission, ScorePart.Public, replicates: 1000, seed: 1);
            bootstrapSeconds = watch.Elapsed.TotalSeconds;
        }
        GC.KeepAlive(solution);
        return new Measurement(loadWatch.Elapsed.TotalSeconds, seconds[seconds.Count / 2], seconds[0], overall!.Value, allocated, solutionHeap, baselineWorkingSet, Process.GetCurrentProcess().PeakWorkingSet64, bootstrapSeconds);
    }

    private static void CompareWithPython(string python, string directory, List<Scenario> scenarios, List<Measurement> results)
    {
        string script = FindScript();
        var start = new ProcessStartInfo(python, [script, directory]) { RedirectStandardOutput = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start " + python);
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();

        Console.WriteLine();
        Console.WriteLine("Same files with pandas.read_csv + sklearn.metrics (bench/scoring_reference.py), solution read beforehand as above:");
        Console.WriteLine($"{"scenario",-36} {"python ms",10} {"C# ms",10} {"C# faster by",13} {"python value",14} {"C# value",14}");
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            string submission = root.GetProperty("submission").GetString()!;
            string metric = root.GetProperty("metric").GetString()!;
            int index = scenarios.FindIndex(s => Path.GetFileName(s.Submission) == submission && s.Task.Metric == metric);
            var (scenario, ours) = (scenarios[index], results[index]);
            double pythonSeconds = root.GetProperty("seconds").GetDouble();
            Console.WriteLine(FormattableString.Invariant(
                $"{scenario.Name,-36} {pythonSeconds * 1000,10:0.0} {ours.MedianSeconds * 1000,10:0.0} {pythonSeconds / ours.MedianSeconds,12:0.0}x {root.GetProperty("value").GetDouble(),14:0.000000} {ours.Overall,14:0.000000}"));
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
