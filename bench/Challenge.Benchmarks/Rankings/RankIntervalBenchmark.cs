using System.Diagnostics;
using System.Globalization;
using System.Text;
using Challenge.Scoring;
using Challenge.Scoring.Significance;

namespace Challenge.Benchmarks.Rankings;

// Rank intervals for a whole board: N teams on R test rows, accuracy and log loss, B resamples,
// on a given number of threads. Prints the time of the analysis alone (files are read before).
public static class RankIntervalBenchmark
{
    public static int Run(string[] args)
    {
        int teams = Option(args, "--teams", 300);
        int rows = Option(args, "--rows", 20_000);
        int replicates = Option(args, "--resamples", 1000);
        int threads = Option(args, "--threads", 2);
        Console.WriteLine($"rank intervals: {teams} teams, {rows} rows, {replicates} resamples, {threads} threads, {Environment.ProcessorCount} cores seen");

        var random = new Random(1);
        var truth = Enumerable.Range(0, rows).Select(_ => random.Next(5)).ToArray();
        string classes = "abcde";
        var solutionCsv = new StringBuilder("Id,Category\n");
        for (int i = 0; i < rows; i++)
        {
            solutionCsv.Append(i).Append(',').Append(classes[truth[i]]).Append('\n');
        }

        foreach (var (kind, metric) in new[] { (TaskKind.Label, "accuracy"), (TaskKind.Probability, "log_loss") })
        {
            var task = new TaskDefinition { Kind = kind, Metric = metric, Classes = ["a", "b", "c", "d", "e"], Seed = 7 };
            var solution = Solution.Load(new MemoryStream(Encoding.UTF8.GetBytes(solutionCsv.ToString())), task).Value!;
            var read = Stopwatch.StartNew();
            var entries = Enumerable.Range(0, teams).Select(t => Team(solution, kind, truth, 0.4 + 0.5 * t / teams, t)).ToArray();
            read.Stop();
            var flags = new bool[teams];
            // One warm-up on a small board so the timing below is not the JIT's.
            RankIntervals.Compute(entries.Take(3).ToArray(), [false, false, false], ScorePart.Private, 100, maxParallelism: threads);
            var watch = Stopwatch.StartNew();
            var analysis = RankIntervals.Compute(entries, flags, ScorePart.Private, replicates, seed: 1, maxParallelism: threads);
            watch.Stop();
            int groups = analysis.Ranks.Max(r => r!.Group);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {metric,-9} files read in {read.Elapsed.TotalSeconds:F1} s; intervals in {watch.Elapsed.TotalSeconds:F2} s ({(analysis.Recomputed ? "recomputed" : "per-row values")}), {analysis.Replicates} resamples kept, {groups} groups, widest interval {analysis.Ranks.Max(r => r!.Upper - r.Lower + 1)} ranks"));
            ReadsWhileRecomputing(entries, analysis, replicates, Math.Max(1, threads - 1));
        }
        return 0;
    }

    // The server recomputes a board's intervals on all cores but one while readers keep asking for
    // the board. Here a reader serialises the whole 300-row board with its intervals to JSON on
    // every read (the worst case: the server caches the body until the board or its intervals
    // change) while the recomputation runs beside it, and the read times are printed.
    private static void ReadsWhileRecomputing(Submission[] entries, RankAnalysis analysis, int replicates, int threads)
    {
        var board = analysis.Ranks.Select((r, i) => new
        {
            rank = i + 1, team = $"Team {i:000}", members = new[] { $"member{i}a", $"member{i}b" }, score = analysis.Estimates[i],
            entries = 12, lastSubmission = DateTime.UtcNow, isBaseline = false, publicRank = (int?)null,
            rankLower = r!.Lower, rankUpper = r.Upper, probabilityFirst = r.ProbabilityFirst, rankGroup = r.Group,
            submissionSha256 = new string('a', 64), scorerVersion = ScorerVersion.Current, solutionVersion = 1,
        }).ToList();
        // The first serialisation compiles the serializer: not a read the server would pay twice.
        System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { challenge = "bench", kind = "public", entries = board });
        var recompute = Task.Run(() => RankIntervals.Compute(entries, new bool[entries.Length], ScorePart.Private, replicates, seed: 2, maxParallelism: threads));
        var times = new List<double>();
        while (!recompute.IsCompleted)
        {
            var read = Stopwatch.StartNew();
            var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { challenge = "bench", kind = "public", entries = board });
            read.Stop();
            times.Add(read.Elapsed.TotalMilliseconds);
            GC.KeepAlive(body);
            Thread.Sleep(5);
        }
        recompute.Wait();
        times.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"            board JSON reads during a recomputation on {threads} thread(s): {times.Count} reads, p50 {times[times.Count / 2]:F2} ms, p99 {times[(int)(times.Count * 0.99)]:F2} ms, max {times[^1]:F2} ms"));
    }

    private static Submission Team(Solution solution, TaskKind kind, int[] truth, double skill, int seed)
    {
        var noise = new Random(1000 + seed);
        var csv = new StringBuilder(kind == TaskKind.Label ? "Id,Category\n" : "Id,a,b,c,d,e\n");
        for (int i = 0; i < truth.Length; i++)
        {
            csv.Append(i).Append(',');
            if (kind == TaskKind.Label)
            {
                csv.Append("abcde"[noise.NextDouble() < skill ? truth[i] : noise.Next(5)]);
            }
            else
            {
                for (int k = 0; k < 5; k++)
                {
                    double p = (k == truth[i] ? skill : 0) + noise.NextDouble() * (1 - skill);
                    csv.Append(p.ToString("R", CultureInfo.InvariantCulture)).Append(k < 4 ? "," : "");
                }
            }
            csv.Append('\n');
        }
        return solution.ReadSubmission(new MemoryStream(Encoding.UTF8.GetBytes(csv.ToString()))).Value!;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
