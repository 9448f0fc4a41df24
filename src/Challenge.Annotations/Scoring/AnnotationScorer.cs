using System.Text.Json.Nodes;
using Challenge.Annotations.Formats;
using Challenge.Annotations.Metrics;
using Challenge.Annotations.Model;

namespace Challenge.Annotations.Scoring;

/// <summary>What to score: the gold solution and a team's submission, each as the uploaded bytes and file name.</summary>
public sealed record AnnotationScoreRequest(byte[] Solution, string SolutionName, byte[] Submission, string SubmissionName, string Metric)
{
    /// <summary>Forces the submission's format instead of detecting it (<c>--format</c>).</summary>
    public AnnotationFormat? SubmissionFormat { get; init; }

    public AnnotationFormat? SolutionFormat { get; init; }

    /// <summary>The pairing threshold of <c>box_f1</c>; COCO and VOC metrics fix their own.</summary>
    public double IouThreshold { get; init; } = 0.5;

    /// <summary>Images that form the public part; the rest are private. Null scores the whole set only.</summary>
    public IReadOnlySet<long>? PublicImageIds { get; init; }

    /// <summary>
    /// For <c>box_f1</c> on annotation tasks where teams label part of the set and coverage is ranked apart:
    /// compare only the images the team labelled instead of counting skipped images' boxes as missed.
    /// </summary>
    public bool OnlyLabelledImages { get; init; }

    /// <summary>Builds a request from open streams (an upload, a stored file); both are read to the end.</summary>
    public static AnnotationScoreRequest FromStreams(Stream solution, string solutionName, Stream submission, string submissionName, string metric) =>
        new(ReadAll(solution), solutionName, ReadAll(submission), submissionName, metric);

    private static byte[] ReadAll(Stream stream)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}

/// <summary>Either a <see cref="AnnotationValidationFailure"/> or an <see cref="AnnotationScore"/>.</summary>
public abstract record AnnotationScoreOutcome;

/// <summary>The inputs could not be scored; each error names the file entry and, where it applies, the line.</summary>
public sealed record AnnotationValidationFailure(IReadOnlyList<AnnotationError> Errors) : AnnotationScoreOutcome;

/// <summary>A metric's value on some images with its detailed figures (see <see cref="AnnotationScorer"/> for the keys).</summary>
public sealed record PartScore(double Value, IReadOnlyDictionary<string, double> Details, IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> PerClass);

public sealed record AnnotationScore(string Metric, bool HigherIsBetter, PartScore Overall, PartScore? Public, PartScore? Private) : AnnotationScoreOutcome
{
    public double Value => Overall.Value;

    /// <summary>The JSON the score command prints: metric, value, higher_is_better, details, per_class and the parts.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["metric"] = Metric,
            ["value"] = Overall.Value,
            ["higher_is_better"] = HigherIsBetter,
        };
        AddPart(json, Overall);
        if (Public is not null && Private is not null)
        {
            var publicJson = new JsonObject { ["value"] = Public.Value };
            AddPart(publicJson, Public);
            var privateJson = new JsonObject { ["value"] = Private.Value };
            AddPart(privateJson, Private);
            json["public"] = publicJson;
            json["private"] = privateJson;
        }

        return json;
    }

    private static void AddPart(JsonObject target, PartScore part)
    {
        var details = new JsonObject();
        foreach (var (name, value) in part.Details)
        {
            details[name] = value;
        }

        var perClass = new JsonObject();
        foreach (var (name, figures) in part.PerClass)
        {
            var classJson = new JsonObject();
            foreach (var (figure, value) in figures)
            {
                classJson[figure] = value;
            }

            perClass[name] = classJson;
        }

        target["details"] = details;
        target["per_class"] = perClass;
    }
}

/// <summary>
/// The one entry point for scoring annotation and detection submissions. Metrics and their detail keys:
/// <list type="bullet">
/// <item><c>coco_map</c>, <c>coco_map50</c>, <c>coco_map75</c>: value ap, ap50 or ap75; details ap, ap50, ap75, aps, apm, apl,
/// ar1, ar10, ar100, ars, arm, arl; per class ap, ap50, ap75 (-1 for classes without ground truth).</item>
/// <item><c>voc_map50</c>: Pascal VOC AP at IoU 0.5 (VOC2010+ all-point); details map50; per class ap50.</item>
/// <item><c>box_f1</c>: value f1; details precision, recall, f1, meanIou, classAccuracy, matched, missed, extra, wrongClass,
/// labelled, coverage; per class precision, recall, f1.</item>
/// <item><c>annotation_accuracy</c>: value accuracy of image classes on gold (honeypot) items; details accuracy, kappa,
/// compared, goldItems, labelled, total, coverage.</item>
/// </list>
/// </summary>
public static class AnnotationScorer
{
    public static IReadOnlyList<string> Metrics { get; } = ["coco_map", "coco_map50", "coco_map75", "voc_map50", "box_f1", "annotation_accuracy"];

    public static AnnotationScoreOutcome Score(AnnotationScoreRequest request)
    {
        if (!Metrics.Contains(request.Metric))
        {
            return Fail("metric", $"unknown metric '{request.Metric}'; expected one of {string.Join(", ", Metrics)}");
        }

        if (request.IouThreshold is <= 0 or > 1 || double.IsNaN(request.IouThreshold))
        {
            return Fail("iou-threshold", $"the IoU threshold must be above 0 and at most 1, not {request.IouThreshold}");
        }

        // The submission needs the gold set only to be matched, so its parsing overlaps the gold set's reading.
        var parsing = Task.Run(() => AnnotationReader.ReadDocument(request.Submission, request.SubmissionName,
            new AnnotationReadOptions { Format = request.SubmissionFormat }));
        var gold = AnnotationReader.Read(request.Solution, request.SolutionName, new AnnotationReadOptions { Format = request.SolutionFormat });
        var document = parsing.GetAwaiter().GetResult();
        if (!gold.Succeeded)
        {
            return new AnnotationValidationFailure(gold.Errors);
        }

        if (!document.Succeeded)
        {
            return new AnnotationValidationFailure(document.Errors);
        }

        var submission = AnnotationReader.Bind(document.Value!, request.SubmissionName, gold.Value);
        if (!submission.Succeeded)
        {
            return new AnnotationValidationFailure(submission.Errors);
        }

        return Score(gold.Value!, submission.Value!, request.Metric, request.IouThreshold, request.PublicImageIds, request.SubmissionName,
            request.OnlyLabelledImages);
    }

    /// <summary>Scores datasets already read, for callers that keep the gold set in memory between submissions.</summary>
    public static AnnotationScoreOutcome Score(AnnotationDataset gold, AnnotationDataset submission, string metric,
        double iouThreshold = 0.5, IReadOnlySet<long>? publicImageIds = null, string submissionName = "submission", bool onlyLabelledImages = false)
    {
        if (metric == "annotation_accuracy" && gold.ImageLabels.Count == 0)
        {
            return Fail("solution", "annotation_accuracy compares image classes, and the solution has none; use box_f1 for boxes");
        }

        if (metric is "coco_map" or "coco_map50" or "coco_map75" or "voc_map50" && submission.Boxes.Count > 0 && submission.Boxes.All(b => b.Score is null))
        {
            return Fail(submissionName, $"{metric} ranks detections by confidence, and the submission gives no scores");
        }

        var overall = ScorePart(gold, submission, metric, iouThreshold, onlyLabelledImages, null);
        if (publicImageIds is null)
        {
            return new AnnotationScore(metric, true, overall, null, null);
        }

        var privateIds = gold.Images.Select(i => i.Id).Where(id => !publicImageIds.Contains(id)).ToHashSet();
        return new AnnotationScore(metric, true, overall,
            ScorePart(gold, submission, metric, iouThreshold, onlyLabelledImages, publicImageIds),
            ScorePart(gold, submission, metric, iouThreshold, onlyLabelledImages, privateIds));
    }

    private static PartScore ScorePart(AnnotationDataset gold, AnnotationDataset submission, string metric, double iouThreshold,
        bool onlyLabelledImages, IReadOnlySet<long>? imageIds)
    {
        switch (metric)
        {
            case "coco_map" or "coco_map50" or "coco_map75":
            {
                var coco = CocoEvaluator.Evaluate(gold, submission, imageIds);
                var details = new Dictionary<string, double>
                {
                    ["ap"] = coco.Ap, ["ap50"] = coco.Ap50, ["ap75"] = coco.Ap75,
                    ["aps"] = coco.ApSmall, ["apm"] = coco.ApMedium, ["apl"] = coco.ApLarge,
                    ["ar1"] = coco.Ar1, ["ar10"] = coco.Ar10, ["ar100"] = coco.Ar100,
                    ["ars"] = coco.ArSmall, ["arm"] = coco.ArMedium, ["arl"] = coco.ArLarge,
                };
                var perClass = coco.PerClass.ToDictionary(c => c.Name,
                    c => (IReadOnlyDictionary<string, double>)new Dictionary<string, double> { ["ap"] = c.Ap, ["ap50"] = c.Ap50, ["ap75"] = c.Ap75 });
                var value = metric switch { "coco_map50" => coco.Ap50, "coco_map75" => coco.Ap75, _ => coco.Ap };
                return new PartScore(value, details, perClass);
            }

            case "voc_map50":
            {
                var voc = VocEvaluator.Evaluate(gold, submission, imageIds);
                var names = gold.Categories.ToDictionary(c => c.Id, c => c.Name);
                return new PartScore(voc.MeanAp50, new Dictionary<string, double> { ["map50"] = voc.MeanAp50 },
                    voc.Ap50ByCategory.ToDictionary(p => names[p.Key], p => (IReadOnlyDictionary<string, double>)new Dictionary<string, double> { ["ap50"] = p.Value }));
            }

            case "box_f1":
            {
                var quality = AnnotationQuality.Evaluate(gold, submission, new QualityOptions
                {
                    IouThreshold = iouThreshold, ImageIds = imageIds, LabelledImagesOnly = onlyLabelledImages,
                });
                var coverage = Coverage.Of(gold, submission, imageIds);
                var details = new Dictionary<string, double>
                {
                    ["precision"] = quality.Precision, ["recall"] = quality.Recall, ["f1"] = quality.F1,
                    ["meanIou"] = quality.MeanIou, ["classAccuracy"] = quality.ClassAccuracy, ["matched"] = quality.Matched,
                    ["missed"] = quality.Errors.Count(e => e.Kind == BoxErrorKind.Missed),
                    ["extra"] = quality.Errors.Count(e => e.Kind == BoxErrorKind.Extra),
                    ["wrongClass"] = quality.Errors.Count(e => e.Kind == BoxErrorKind.WrongClass),
                    ["labelled"] = coverage.Labelled, ["coverage"] = coverage.Share,
                };
                var perClass = quality.PerClass.ToDictionary(c => c.Name, c => (IReadOnlyDictionary<string, double>)new Dictionary<string, double>
                {
                    ["precision"] = c.Precision, ["recall"] = c.Recall, ["f1"] = c.F1, ["gold"] = c.GoldCount, ["team"] = c.TeamCount,
                });
                return new PartScore(quality.F1, details, perClass);
            }

            default:
            {
                var classification = ClassificationQuality.Evaluate(gold, submission, imageIds);
                var coverage = Coverage.Of(gold, submission, imageIds);
                var details = new Dictionary<string, double>
                {
                    ["accuracy"] = classification.Accuracy, ["kappa"] = classification.Kappa, ["compared"] = classification.Compared,
                    ["goldItems"] = classification.GoldItems, ["labelled"] = coverage.Labelled, ["total"] = coverage.Total,
                    ["coverage"] = coverage.Share,
                };
                return new PartScore(classification.Accuracy, details, new Dictionary<string, IReadOnlyDictionary<string, double>>());
            }
        }
    }

    private static AnnotationValidationFailure Fail(string entry, string message) => new([new AnnotationError(entry, null, message)]);
}
