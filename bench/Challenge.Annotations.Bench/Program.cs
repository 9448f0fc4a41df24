using System.Diagnostics;
using System.Globalization;
using Challenge.Annotations.Bench;
using Challenge.Annotations.Formats;
using Challenge.Annotations.Metrics;
using Challenge.Annotations.Model;

// Scale benchmark at the size of the ocean-plastic annotation challenge.
//   generate <dir> [images] [boxes]   writes gold.json (COCO instances) and detections.json (COCO results)
//   score <dir>                       reads both, scores annotation quality and COCO AP, prints time and peak memory
// Run "score" in its own process so that the peak memory is the scoring's alone.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
if (args.Length < 2 || args[0] is not ("generate" or "score"))
{
    Console.Error.WriteLine("usage: generate <dir> [images=185000] [boxes=1000000] | score <dir>");
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

var total = Stopwatch.StartNew();
var stage = Stopwatch.StartNew();
var goldResult = AnnotationReader.Read(File.ReadAllBytes(Path.Combine(directory, "gold.json")), "gold.json");
var goldSet = goldResult.Value ?? throw new InvalidOperationException(string.Join("\n", goldResult.Errors));
var readGold = stage.Elapsed;
stage.Restart();
var teamResult = AnnotationReader.Read(File.ReadAllBytes(Path.Combine(directory, "detections.json")), "detections.json",
    new AnnotationReadOptions { Reference = goldSet });
var team = teamResult.Value ?? throw new InvalidOperationException(string.Join("\n", teamResult.Errors));
var readTeam = stage.Elapsed;
stage.Restart();
var quality = AnnotationQuality.Evaluate(goldSet, team);
var coverage = Coverage.Of(goldSet, team);
var qualityTime = stage.Elapsed;
stage.Restart();
var coco = CocoEvaluator.Evaluate(goldSet, team);
var cocoTime = stage.Elapsed;
total.Stop();

Console.WriteLine($"images {goldSet.Images.Count}, gold boxes {goldSet.Boxes.Count}, detections {team.Boxes.Count}");
Console.WriteLine($"read gold          {readGold.TotalSeconds,8:F2} s");
Console.WriteLine($"read detections    {readTeam.TotalSeconds,8:F2} s");
Console.WriteLine($"annotation quality {qualityTime.TotalSeconds,8:F2} s   precision {quality.Precision:F4} recall {quality.Recall:F4} f1 {quality.F1:F4} meanIoU {quality.MeanIou:F4} coverage {coverage.Share:F4} errors {quality.Errors.Count}");
Console.WriteLine($"COCO AP            {cocoTime.TotalSeconds,8:F2} s   AP {coco.Ap:F6} AP50 {coco.Ap50:F6} AP75 {coco.Ap75:F6} AR100 {coco.Ar100:F6}");
Console.WriteLine($"total              {total.Elapsed.TotalSeconds,8:F2} s");
Console.WriteLine($"process CPU time   {Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds,8:F2} s   (wall time above depends on what else the machine runs)");
Console.WriteLine($"peak working set   {Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024):F0} MiB");
return 0;
