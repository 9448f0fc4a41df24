using System.Diagnostics;
using System.Globalization;
using Challenge.Annotations.Bench;
using Challenge.Annotations.Formats;
using Challenge.Annotations.Metrics;
using Challenge.Annotations.Model;
using Challenge.Annotations.Scoring;

// Scale benchmark at the size of the ocean-plastic annotation challenge.
//   generate <dir> [images] [boxes]   writes gold.json (COCO instances) and detections.json (COCO results)
//   score <dir>                       reads both, scores annotation quality and COCO AP, prints time and peak memory
//   scorer <dir> <metric>             one call of AnnotationScorer.Score, as the score command makes it
// Run "score" and "scorer" in their own process so that the peak memory is the scoring's alone.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
if (args.Length < 2 || args[0] is not ("generate" or "score" or "scorer") || (args[0] == "scorer" && args.Length < 3))
{
    Console.Error.WriteLine("usage: generate <dir> [images=185000] [boxes=1000000] | score <dir> | scorer <dir> <metric>");
    return 2;
}

var directory = args[1];
if (args[0] == "generate")
{
    var images = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 185_000;
    var boxes = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1_000_000;
    Directory.CreateDirectory(directory);
    var (gold, detections) = SyntheticExport.Create(images, boxes, seed: 2026);
    File.WriteAllBytes(Path.Combine(directory, "gold.json"), AnnotationWriter.Write(gold, AnnotationFormat.Coco));
    File.WriteAllBytes(Path.Combine(directory, "detections.json"), AnnotationWriter.Write(detections, AnnotationFormat.CocoResults));
    Console.WriteLine($"wrote {gold.Images.Count} images, {gold.Boxes.Count} gold boxes, {detections.Boxes.Count} detections to {directory}");
    return 0;
}

var process = Process.GetCurrentProcess();
if (args[0] == "scorer")
{
    var request = new AnnotationScoreRequest(File.ReadAllBytes(Path.Combine(directory, "gold.json")), "gold.json",
        File.ReadAllBytes(Path.Combine(directory, "detections.json")), "detections.json", args[2]);
    var clock = Stopwatch.StartNew();
    var outcome = AnnotationScorer.Score(request);
    clock.Stop();
    process.Refresh();
    var shown = outcome is AnnotationScore score ? $"{score.Metric} = {score.Value:F6}" : outcome.ToString();
    Console.WriteLine($"AnnotationScorer.Score {args[2]}: {shown}");
    Console.WriteLine($"wall {clock.Elapsed.TotalSeconds:F2} s, process CPU {process.TotalProcessorTime.TotalSeconds:F2} s, peak working set {process.PeakWorkingSet64 / (1024.0 * 1024):F0} MiB");
    Console.WriteLine(LoadAverage());
    return 0;
}

var total = Stopwatch.StartNew();
var stages = new List<(string Name, TimeSpan Wall, TimeSpan Cpu, string Figures)>();
T Stage<T>(string name, Func<T> run, Func<T, string>? figures = null)
{
    process.Refresh();
    var cpuBefore = process.TotalProcessorTime;
    var wall = Stopwatch.StartNew();
    var result = run();
    wall.Stop();
    process.Refresh();
    stages.Add((name, wall.Elapsed, process.TotalProcessorTime - cpuBefore, figures?.Invoke(result) ?? ""));
    return result;
}

var goldSet = Stage("read gold (COCO)", () => Unwrap(AnnotationReader.Read(File.ReadAllBytes(Path.Combine(directory, "gold.json")), "gold.json")));
var team = Stage("read detections", () => Unwrap(AnnotationReader.Read(File.ReadAllBytes(Path.Combine(directory, "detections.json")), "detections.json",
    new AnnotationReadOptions { Reference = goldSet })));
Stage("annotation quality", () => (AnnotationQuality.Evaluate(goldSet, team), Coverage.Of(goldSet, team)),
    r => $"precision {r.Item1.Precision:F4} recall {r.Item1.Recall:F4} f1 {r.Item1.F1:F4} meanIoU {r.Item1.MeanIou:F4} coverage {r.Item2.Share:F4} errors {r.Item1.Errors.Count}");
Stage("COCO AP", () => CocoEvaluator.Evaluate(goldSet, team),
    c => $"AP {c.Ap:F6} AP50 {c.Ap50:F6} AP75 {c.Ap75:F6} AR100 {c.Ar100:F6}");
total.Stop();
process.Refresh();

Console.WriteLine($"images {goldSet.Images.Count}, gold boxes {goldSet.Boxes.Count}, detections {team.Boxes.Count}");
Console.WriteLine($"{"stage",-20} {"wall s",8} {"CPU s",8}");
foreach (var (name, wall, cpu, figures) in stages)
{
    Console.WriteLine($"{name,-20} {wall.TotalSeconds,8:F2} {cpu.TotalSeconds,8:F2}   {figures}");
}

Console.WriteLine($"{"total",-20} {total.Elapsed.TotalSeconds,8:F2} {process.TotalProcessorTime.TotalSeconds,8:F2}   (CPU includes start-up; wall depends on what else the machine runs)");
Console.WriteLine($"peak working set   {process.PeakWorkingSet64 / (1024.0 * 1024):F0} MiB");
Console.WriteLine(LoadAverage());
return 0;

static AnnotationDataset Unwrap(ParseResult<AnnotationDataset> result) =>
    result.Value ?? throw new InvalidOperationException(string.Join("\n", result.Errors));

// Other work on the machine stretches wall time, not CPU time; the load average says how much there was.
static string LoadAverage() =>
    File.Exists("/proc/loadavg") ? $"load average (1, 5, 15 min): {string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3))} on {Environment.ProcessorCount} cores" : "";
