using System.Text.Json;
using Challenge.Annotations.Formats;
using Challenge.Annotations.Metrics;
using Challenge.Annotations.Model;

namespace Challenge.Annotations.Tests;

/// <summary>Compares with figures that pycocotools produced on the same files (see fixtures/annotations/coco_eval/generate.py).</summary>
public class CocoEvaluatorTests
{
    private const double Tolerance = 1e-6;

    public static TheoryData<string> Cases => new() { "mixed", "river_plastic", "heavy_ties", "sparse" };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Summary_figures_equal_pycocotools(string name)
    {
        var (gold, detections, expected) = Load(name);
        AssertMatches(expected.GetProperty("all"), CocoEvaluator.Evaluate(gold, detections));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_subset_of_images_equals_pycocotools_with_params_imgIds(string name)
    {
        var (gold, detections, expected) = Load(name);
        var publicIds = expected.GetProperty("public_image_ids").EnumerateArray().Select(e => e.GetInt64()).ToHashSet();
        AssertMatches(expected.GetProperty("public"), CocoEvaluator.Evaluate(gold, detections, publicIds));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Voc_ap50_equals_the_devkit_all_point_figures(string name)
    {
        var (gold, detections, expected) = Load(name);
        var voc = expected.GetProperty("voc_all");
        var metrics = VocEvaluator.Evaluate(gold, detections);
        Assert.Equal(voc.GetProperty("map50").GetDouble(), metrics.MeanAp50, Tolerance);
        foreach (var perClass in voc.GetProperty("per_class").EnumerateObject())
        {
            Assert.Equal(perClass.Value.GetDouble(), metrics.Ap50ByCategory[int.Parse(perClass.Name)], Tolerance);
        }
    }

    [Fact]
    public void A_class_without_ground_truth_reports_minus_one_and_stays_out_of_the_mean()
    {
        var (gold, detections, expected) = Load("mixed");
        var metrics = CocoEvaluator.Evaluate(gold, detections);
        var fishingNet = metrics.PerClass.Single(c => c.Name == "FISHING_NET");
        Assert.Equal(-1, fishingNet.Ap);
        Assert.True(fishingNet.DetectionCount > 0);
        var measured = metrics.PerClass.Where(c => c.Ap >= 0).ToList();
        Assert.Equal(4, measured.Count);
        Assert.Equal(expected.GetProperty("all").GetProperty("stats").GetProperty("ap").GetDouble(), metrics.Ap, Tolerance);
    }

    [Fact]
    public void Perfect_detections_score_one_and_crowd_matches_are_not_false_positives()
    {
        var gold = new AnnotationDataset();
        gold.Images.Add(new ImageInfo(1, "a.jpg", 640, 480));
        gold.Categories.Add(new Category(1, "PLASTIC_BAG"));
        gold.Boxes.Add(new BoxAnnotation(1, 1, 1, 10, 10, 50, 50));
        gold.Boxes.Add(new BoxAnnotation(2, 1, 1, 300, 200, 200, 200, IsCrowd: true));
        var detections = new AnnotationDataset();
        detections.Boxes.Add(new BoxAnnotation(1, 1, 1, 10, 10, 50, 50, Score: 0.9));
        detections.Boxes.Add(new BoxAnnotation(2, 1, 1, 310, 210, 20, 20, Score: 0.95));
        detections.Boxes.Add(new BoxAnnotation(3, 1, 1, 350, 250, 20, 20, Score: 0.97));

        var metrics = CocoEvaluator.Evaluate(gold, detections);

        Assert.Equal(1.0, metrics.Ap, 12);
        Assert.Equal(1.0, metrics.Ar100, 12);
    }

    private static (AnnotationDataset Gold, AnnotationDataset Detections, JsonElement Expected) Load(string name)
    {
        var gold = Fixtures.Read($"coco_eval/{name}_gt.json");
        var detections = Fixtures.Read($"coco_eval/{name}_dt.json", gold, AnnotationFormat.CocoResults);
        return (gold, detections, Fixtures.Json($"coco_eval/{name}_expected.json"));
    }

    private static void AssertMatches(JsonElement expected, CocoMetrics actual)
    {
        var stats = expected.GetProperty("stats");
        var pairs = new (string Name, double Value)[]
        {
            ("ap", actual.Ap), ("ap50", actual.Ap50), ("ap75", actual.Ap75), ("aps", actual.ApSmall), ("apm", actual.ApMedium),
            ("apl", actual.ApLarge), ("ar1", actual.Ar1), ("ar10", actual.Ar10), ("ar100", actual.Ar100), ("ars", actual.ArSmall),
            ("arm", actual.ArMedium), ("arl", actual.ArLarge),
        };
        foreach (var (name, value) in pairs)
        {
            var want = stats.GetProperty(name).GetDouble();
            Assert.True(Math.Abs(want - value) <= Tolerance, $"{name}: pycocotools {want}, here {value}");
        }

        foreach (var perClass in expected.GetProperty("per_class").EnumerateObject())
        {
            var measured = actual.PerClass.Single(c => c.CategoryId == int.Parse(perClass.Name));
            Assert.Equal(perClass.Value.GetProperty("ap").GetDouble(), measured.Ap, Tolerance);
            Assert.Equal(perClass.Value.GetProperty("ap50").GetDouble(), measured.Ap50, Tolerance);
        }
    }
}
