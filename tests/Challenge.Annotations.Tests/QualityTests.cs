using Challenge.Annotations.Metrics;
using Challenge.Annotations.Model;

namespace Challenge.Annotations.Tests;

public class QualityTests
{
    [Fact]
    public void Boxes_pair_one_to_one_and_every_error_kind_is_listed()
    {
        var gold = Dataset(
            new BoxAnnotation(1, 1, 1, 0, 0, 100, 100),
            new BoxAnnotation(2, 1, 2, 200, 200, 50, 50),
            new BoxAnnotation(3, 1, 1, 400, 400, 20, 20),
            new BoxAnnotation(4, 2, 2, 10, 10, 40, 40));
        var team = Dataset(
            new BoxAnnotation(1, 1, 1, 0, 0, 100, 90),
            new BoxAnnotation(2, 1, 1, 0, 0, 100, 80),
            new BoxAnnotation(3, 1, 1, 200, 200, 50, 50),
            new BoxAnnotation(4, 2, 2, 10, 10, 40, 40),
            new BoxAnnotation(5, 2, 2, 300, 300, 40, 40));

        var report = AnnotationQuality.Evaluate(gold, team);

        Assert.Equal((4, 5, 3, 2), (report.GoldCount, report.TeamCount, report.Matched, report.Correct));
        Assert.Equal(2.0 / 5, report.Precision, 12);
        Assert.Equal(2.0 / 4, report.Recall, 12);
        Assert.Equal(2 * 0.4 * 0.5 / 0.9, report.F1, 12);
        Assert.Equal((0.9 + 1 + 1) / 3, report.MeanIou, 12);
        Assert.Equal(2.0 / 3, report.ClassAccuracy, 12);
        Assert.Equal(
            new[] { (BoxErrorKind.WrongClass, 1L, 2L, 3L), (BoxErrorKind.Missed, 1L, 3L, 0L), (BoxErrorKind.Extra, 1L, 0L, 2L), (BoxErrorKind.Extra, 2L, 0L, 5L) },
            report.Errors.Select(e => (e.Kind, e.ImageId, e.Gold?.Id ?? 0, e.Team?.Id ?? 0)));
        var bag = report.PerClass.Single(c => c.Name == "PLASTIC_BAG");
        Assert.Equal((2, 3, 1), (bag.GoldCount, bag.TeamCount, bag.Correct));
    }

    [Fact]
    public void The_iou_threshold_decides_what_pairs()
    {
        var gold = Dataset(new BoxAnnotation(1, 1, 1, 0, 0, 100, 100));
        var team = Dataset(new BoxAnnotation(1, 1, 1, 0, 0, 100, 60));

        Assert.Equal(1, AnnotationQuality.Evaluate(gold, team, new QualityOptions { IouThreshold = 0.5 }).Correct);
        Assert.Equal(0, AnnotationQuality.Evaluate(gold, team, new QualityOptions { IouThreshold = 0.7 }).Correct);
    }

    [Fact]
    public void Labelled_images_only_leaves_skipped_images_out()
    {
        var gold = Dataset(new BoxAnnotation(1, 1, 1, 0, 0, 100, 100), new BoxAnnotation(2, 2, 1, 0, 0, 100, 100));
        var team = Dataset(new BoxAnnotation(1, 1, 1, 0, 0, 100, 100));

        Assert.Equal(0.5, AnnotationQuality.Evaluate(gold, team).Recall, 12);
        Assert.Equal(1.0, AnnotationQuality.Evaluate(gold, team, new QualityOptions { LabelledImagesOnly = true }).Recall, 12);
        Assert.Equal(new CoverageReport(1, 2, 0.5), Coverage.Of(gold, team));
    }

    [Fact]
    public void Honeypot_accuracy_and_kappa_equal_scikit_learn()
    {
        var fixture = Fixtures.Json("quality/honeypots.json");
        var names = fixture.GetProperty("images").EnumerateArray().Select(e => e.GetString()!).ToList();
        var ids = names.Select((name, index) => (name, index)).ToDictionary(p => p.name, p => p.index + 1);
        AnnotationDataset Labels(string side)
        {
            var dataset = new AnnotationDataset();
            dataset.Images.AddRange(names.Select(n => new ImageInfo(ids[n], n, 128, 128)));
            dataset.ImageLabels.AddRange(fixture.GetProperty(side).EnumerateObject().Select(p => new ImageLabel(ids[p.Name], p.Value.GetString()!)));
            return dataset;
        }

        var gold = Labels("gold");
        var team = Labels("team");
        var expected = fixture.GetProperty("expected");

        var report = ClassificationQuality.Evaluate(gold, team);

        Assert.Equal(expected.GetProperty("compared").GetInt32(), report.Compared);
        Assert.Equal(expected.GetProperty("accuracy").GetDouble(), report.Accuracy, 1e-12);
        Assert.Equal(expected.GetProperty("kappa").GetDouble(), report.Kappa, 1e-12);
        Assert.Equal(report.Compared - report.Agreements, report.Errors.Count);
        Assert.Equal(424, Coverage.Of(gold, team).Labelled);
    }

    private static AnnotationDataset Dataset(params BoxAnnotation[] boxes)
    {
        var dataset = new AnnotationDataset();
        dataset.Images.AddRange([new ImageInfo(1, "a.jpg", 640, 480), new ImageInfo(2, "b.jpg", 640, 480)]);
        dataset.Categories.AddRange([new Category(1, "PLASTIC_BAG"), new Category(2, "PLASTIC_BOTTLE")]);
        dataset.Boxes.AddRange(boxes);
        return dataset;
    }
}
