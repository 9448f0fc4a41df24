using System.Text;
using Challenge.Annotations.Formats;
using Challenge.Annotations.Scoring;

namespace Challenge.Annotations.Tests;

public class ScorerTests
{
    private static readonly byte[] _gold = Fixtures.Bytes("formats/coco_instances.json");

    [Fact]
    public void A_kili_export_and_a_yolo_zip_score_box_f1_against_coco_gold()
    {
        var kili = Score("kili.json", Fixtures.Bytes("formats/kili_export.json"), "box_f1");
        var yolo = Score("team.zip", ZipBuilder.FromFolder("formats/yolo_v4"), "box_f1");

        Assert.Equal(1.0, kili.Value, 12);
        Assert.Equal(1.0, yolo.Value, 12);
        Assert.Equal(1.0, yolo.Overall.Details["coverage"], 12);
        Assert.True(yolo.HigherIsBetter);
    }

    [Fact]
    public void Coco_map_reports_the_detailed_figures_and_both_parts()
    {
        var results = Encoding.UTF8.GetBytes("""
            [
              {"image_id": 1, "category_id": 1, "bbox": [192, 108, 384, 216], "score": 0.9},
              {"image_id": 2, "category_id": 3, "bbox": [500, 500, 20, 20], "score": 0.8},
              {"image_id": 3, "category_id": 4, "bbox": [640, 360, 128, 72], "score": 0.7}
            ]
            """);

        var outcome = AnnotationScorer.Score(new AnnotationScoreRequest(_gold, "gold.json", results, "dets.json", "coco_map")
        {
            PublicImageIds = new HashSet<long> { 1, 3 },
        });

        var score = Assert.IsType<AnnotationScore>(outcome);
        // Public: the bag and the not-plastic box found (AP 1 each), the bottle missed (AP 0).
        Assert.Equal(2.0 / 3, score.Public!.Value, 12);
        Assert.Equal(0.0, score.Public.PerClass["PLASTIC_BOTTLE"]["ap"]);
        Assert.Equal(0.0, score.Private!.Value, 12);
        Assert.Equal(["ap", "ap50", "ap75", "aps", "apm", "apl", "ar1", "ar10", "ar100", "ars", "arm", "arl"], score.Overall.Details.Keys);
        Assert.Equal(-1, score.Private.PerClass["PLASTIC_BAG"]["ap"]);
        var json = score.ToJson();
        Assert.Equal("coco_map", (string)json["metric"]!);
        Assert.Equal(score.Value, (double)json["details"]!["ap"]!);
        Assert.Equal(2.0 / 3, (double)json["public"]!["value"]!, 12);
    }

    [Fact]
    public void Annotation_accuracy_compares_image_classes_with_gold()
    {
        var gold = Fixtures.Bytes("formats/cvat_annotations.xml");
        var team = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Fixtures.Bytes("formats/label_studio.json")).Replace("\"OTHER\"", "\"UNKNOWN\""));

        var outcome = AnnotationScorer.Score(new AnnotationScoreRequest(gold, "gold.xml", team, "ls.json", "annotation_accuracy"));

        var score = Assert.IsType<AnnotationScore>(outcome);
        Assert.Equal(2.0 / 3, score.Value, 12);
        Assert.Equal(3, score.Overall.Details["compared"]);
    }

    [Fact]
    public void Validation_failures_name_the_entry_and_never_throw()
    {
        var unknownImage = Encoding.UTF8.GetBytes("""[{"image_id": 42, "category_id": 1, "bbox": [1, 2, 3, 4], "score": 0.5}]""");

        var failure = Assert.IsType<AnnotationValidationFailure>(
            AnnotationScorer.Score(new AnnotationScoreRequest(_gold, "gold.json", unknownImage, "dets.json", "coco_map")));
        var unknownMetric = Assert.IsType<AnnotationValidationFailure>(
            AnnotationScorer.Score(new AnnotationScoreRequest(_gold, "gold.json", unknownImage, "dets.json", "map@0.5")));
        var noScores = Assert.IsType<AnnotationValidationFailure>(
            AnnotationScorer.Score(new AnnotationScoreRequest(_gold, "gold.json", ZipBuilder.FromFolder("formats/yolo_v8"), "team.zip", "coco_map")));

        Assert.Equal("dets.json", failure.Errors.Single().Entry);
        Assert.Contains("image id 42", failure.Errors.Single().Message, StringComparison.Ordinal);
        Assert.Contains("unknown metric", unknownMetric.Errors.Single().Message, StringComparison.Ordinal);
        Assert.Contains("no scores", noScores.Errors.Single().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Box_f1_can_leave_images_the_team_skipped_out()
    {
        var partial = Encoding.UTF8.GetBytes("""
            [
              {"image_id": 1, "category_id": 1, "bbox": [192, 108, 384, 216], "score": 1},
              {"image_id": 1, "category_id": 2, "bbox": [960, 540, 96, 54], "score": 1}
            ]
            """);
        var request = new AnnotationScoreRequest(_gold, "gold.json", partial, "team.json", "box_f1");

        var everything = Assert.IsType<AnnotationScore>(AnnotationScorer.Score(request));
        var labelledOnly = Assert.IsType<AnnotationScore>(AnnotationScorer.Score(request with { OnlyLabelledImages = true }));

        Assert.Equal(0.5, everything.Overall.Details["recall"], 12);
        Assert.Equal(1.0, labelledOnly.Overall.Details["recall"], 12);
        Assert.Equal(1.0 / 3, labelledOnly.Overall.Details["coverage"], 12);
    }

    [Fact]
    public void Streams_score_like_bytes()
    {
        using var solution = File.OpenRead(Fixtures.PathOf("formats/coco_instances.json"));
        using var submission = File.OpenRead(Fixtures.PathOf("formats/label_studio.json"));

        var outcome = AnnotationScorer.Score(AnnotationScoreRequest.FromStreams(solution, "gold.json", submission, "ls.json", "box_f1"));

        Assert.Equal(1.0, Assert.IsType<AnnotationScore>(outcome).Value, 12);
    }

    [Fact]
    public void A_forced_format_is_used_for_the_submission()
    {
        var outcome = AnnotationScorer.Score(new AnnotationScoreRequest(_gold, "gold.json", Fixtures.Bytes("formats/kili_export.json"), "kili.json", "box_f1")
        {
            SubmissionFormat = AnnotationFormat.LabelStudio,
        });

        Assert.IsType<AnnotationValidationFailure>(outcome);
    }

    private static AnnotationScore Score(string name, byte[] submission, string metric) =>
        Assert.IsType<AnnotationScore>(AnnotationScorer.Score(new AnnotationScoreRequest(_gold, "gold.json", submission, name, metric)));
}
