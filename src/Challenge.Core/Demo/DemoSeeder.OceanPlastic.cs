using System.Text;
using Challenge.Annotations.Formats;
using Challenge.Annotations.Model;
using Challenge.Core.Annotations;
using Challenge.Core.Tasks;

namespace Challenge.Core.Demo;

// Case 4, The Ocean Cleanup's annotation challenge: teams label object crops (ranked by how much they
// labelled and how well they did on hidden honeypots), and, as in the sister river-plastic challenge,
// detect plastic with boxes (COCO AP) starting from model pre-annotations.
public sealed partial class DemoSeeder
{
    public const string OceanPlasticSlug = "ocean-plastic";
    public const string CropsTaskSlug = "crops";
    public const string RiverTaskSlug = "river-plastic";
    public const string CropsRanking = "70 * labelled / max_labelled + 30 * honeypot_accuracy";

    public static readonly string[] CropClasses = ["MARINE_DEBRIS", "MARINE_LIFE_OR_VEGETATION", "OTHER", "UNKNOWN"];
    public static readonly string[] RiverClasses = ["PLASTIC_BAG", "PLASTIC_BOTTLE", "OTHER_PLASTIC_WASTE", "NOT_PLASTIC_WASTE"];
    private static readonly double[] CropFrequencies = [0.40, 0.30, 0.20, 0.10];

    // Team, then per submission the share of crops labelled and the accuracy of those labels.
    private static readonly (string Team, (double Share, double Accuracy)[] Crops, double[] BoxNoise)[] OceanHistory =
    [
        ("Active Learners", [(0.20, 0.95), (0.45, 0.95), (0.80, 0.96)], [6, 3.5, 2]),
        ("Debris Hunters", [(0.35, 0.84), (0.70, 0.87), (0.95, 0.88)], [5, 3]),
        ("Weekend Labellers", [(0.15, 0.90), (0.30, 0.91)], [8]),
        ("Model-Assisted Crew", [(0.60, 0.78), (1.00, 0.80)], [4, 2.5, 1.5]),
    ];

    private async Task SeedOceanPlasticAsync(DemoWorld world, CancellationToken cancellationToken)
    {
        var (cropCount, riverCount) = (Scaled(1_500, 40), Scaled(200, 12));
        var competition = await ChallengeAsync(world, OceanPlasticSlug, "Ocean plastic: label the catch",
            "Label object crops from The Ocean Cleanup's vessel cameras, and detect plastic in river images.",
            OceanOverview, string.Format(System.Globalization.CultureInfo.InvariantCulture, OceanData, cropCount, riverCount),
            OceanEvaluation, OceanRules, cancellationToken);
        var crops = await TaskAsync(world, competition, new TaskInput
        {
            Slug = CropsTaskSlug, Title = "Label the crops", Family = TaskFamily.Annotation, Metric = "annotation_accuracy",
            RankingFormula = CropsRanking, PublicFraction = 0.5, SplitSeed = 41, MaxSubmissionMegabytes = 64,
        }, cancellationToken);
        var river = await TaskAsync(world, competition, new TaskInput
        {
            Slug = RiverTaskSlug, Title = "River plastic boxes", Family = TaskFamily.Detection, Metric = "coco_map",
            PublicFraction = 0.5, SplitSeed = 42, MaxSubmissionMegabytes = 64,
        }, cancellationToken);

        var random = new Random(4004);

        // Crops: every one gets a class; one in eight is a hidden honeypot with a gold class.
        var cropImages = new List<(string File, byte[] Png)>();
        var cropTruth = new List<int>();
        for (var i = 0; i < cropCount; i++)
        {
            var label = Pick(random, CropFrequencies);
            cropImages.Add(($"crop_{i:00000}.png", DrawCrop(label, random).ToPng()));
            cropTruth.Add(label);
        }
        var cropArchive = ImageZip(cropImages, null);
        var honeypots = Enumerable.Range(0, cropCount).Where(i => i % 8 == 3).ToList();
        var cropGold = CropDataset(cropImages, honeypots.Select(i => (i, cropTruth[i])));
        var cropSuggestions = CropDataset(cropImages, Enumerable.Range(0, cropCount)
            .Select(i => (i, random.NextDouble() < 0.8 ? cropTruth[i] : random.Next(CropClasses.Length))));
        await AssetsAsync(world, crops, cropArchive, "crops.zip", AnnotationWriter.Write(cropGold, AnnotationFormat.Kili), "honeypots.json",
            AnnotationWriter.Write(cropSuggestions, AnnotationFormat.Kili), "suggestions.json", cancellationToken);

        // River images: one to four objects each, boxes as gold; a detector's boxes as pre-annotations.
        var riverImages = new List<(string File, byte[] Png)>();
        var riverGold = new AnnotationDataset();
        foreach (var name in RiverClasses)
        {
            riverGold.GetOrAddCategory(name);
        }
        for (var i = 0; i < riverCount; i++)
        {
            var (canvas, boxes) = DrawRiver(random);
            var image = new ImageInfo(i + 1, $"river_{i:0000}.png", canvas.Width, canvas.Height);
            riverImages.Add((image.FileName, canvas.ToPng()));
            riverGold.Images.Add(image);
            foreach (var (label, x, y, w, h) in boxes)
            {
                riverGold.Boxes.Add(new BoxAnnotation(riverGold.Boxes.Count + 1, image.Id, label + 1, x, y, w, h));
            }
        }
        var riverArchive = ImageZip(riverImages, null);
        var preAnnotations = Detections(riverGold, noise: 4, new Random(4005));
        await AssetsAsync(world, river, riverArchive, "river_images.zip", AnnotationWriter.Write(riverGold, AnnotationFormat.Coco), "gold.json",
            AnnotationWriter.Write(preAnnotations, AnnotationFormat.Coco), "pre-annotations.json", cancellationToken);

        await DataFileAsync(world, competition, "crops.zip", cropArchive, $"{cropCount:N0} object crops (PNG) to label.", cancellationToken);
        await DataFileAsync(world, competition, "crop_suggestions_kili.json", AnnotationWriter.Write(cropSuggestions, AnnotationFormat.Kili),
            "A model's class for every crop (about 80% right), in Kili's format: a valid submission to start from.", cancellationToken);
        await DataFileAsync(world, competition, "river_images.zip", riverArchive, $"{riverCount:N0} river images (PNG) for the detection task.", cancellationToken);
        await DataFileAsync(world, competition, "river_pre_annotations_yolo.zip", AnnotationWriter.Write(preAnnotations, AnnotationFormat.Yolo),
            "A detector's boxes with confidences as a YOLO export (labels/*.txt, data.yaml): a valid submission to start from.", cancellationToken);

        for (var t = 0; t < OceanHistory.Length; t++)
        {
            var (name, cropRounds, boxNoise) = OceanHistory[t];
            var team = await TeamAsync(world, competition, name, cancellationToken);
            var teamRandom = new Random(4100 + t);
            for (var k = 0; k < cropRounds.Length; k++)
            {
                var (share, accuracy) = cropRounds[k];
                var labelled = Enumerable.Range(0, cropCount).Where(i => teamRandom.NextDouble() < share)
                    .Select(i => (i, teamRandom.NextDouble() < accuracy ? cropTruth[i] : teamRandom.Next(CropClasses.Length)));
                await SubmitAsync(world, crops, team, $"labels-day{k + 1}.json", AnnotationWriter.Write(CropDataset(cropImages, labelled), AnnotationFormat.Kili), "",
                    SubmittedAt(world, t, k, cropRounds.Length), cancellationToken);
            }
            for (var k = 0; k < boxNoise.Length; k++)
            {
                var detections = Detections(riverGold, boxNoise[k], teamRandom);
                var (file, format) = k % 2 == 0 ? ($"detections-{k + 1}.zip", AnnotationFormat.Yolo) : ($"detections-{k + 1}.json", AnnotationFormat.CocoResults);
                await SubmitAsync(world, river, team, file, AnnotationWriter.Write(detections, format), "",
                    SubmittedAt(world, t, k, boxNoise.Length).AddHours(2), cancellationToken);
            }
        }
    }

    private async Task AssetsAsync(DemoWorld world, CompetitionTask task, byte[] images, string imagesName, byte[] gold, string goldName,
        byte[] preAnnotations, string preAnnotationsName, CancellationToken cancellationToken)
    {
        var uploaded = await assets.UploadImagesAsync(task.Id, new MemoryStream(images), imagesName, world.Organizer, cancellationToken);
        Check(uploaded.Accepted, $"the images of '{task.Slug}': {uploaded.Message}");
        uploaded = await assets.UploadAnnotationsAsync(task.Id, AnnotationSource.Gold, new MemoryStream(gold), goldName, world.Organizer, cancellationToken);
        Check(uploaded.Accepted, $"the gold of '{task.Slug}': {uploaded.Message}");
        uploaded = await assets.UploadAnnotationsAsync(task.Id, AnnotationSource.PreAnnotations, new MemoryStream(preAnnotations), preAnnotationsName, world.Organizer, cancellationToken);
        Check(uploaded.Accepted, $"the pre-annotations of '{task.Slug}': {uploaded.Message}");
    }

    private static AnnotationDataset CropDataset(IReadOnlyList<(string File, byte[] Png)> images, IEnumerable<(int Index, int Label)> labels)
    {
        var dataset = new AnnotationDataset();
        foreach (var name in CropClasses)
        {
            dataset.GetOrAddCategory(name);
        }
        for (var i = 0; i < images.Count; i++)
        {
            dataset.Images.Add(new ImageInfo(i + 1, images[i].File, 64, 64));
        }
        foreach (var (index, label) in labels)
        {
            dataset.ImageLabels.Add(new ImageLabel(index + 1, CropClasses[label]));
        }
        return dataset;
    }

    // A detector's output on the gold boxes: each box moved by about `noise` pixels, sometimes missed or
    // given the wrong class, with a confidence that is higher for the better boxes, plus a few false alarms.
    private static AnnotationDataset Detections(AnnotationDataset gold, double noise, Random random)
    {
        var detections = new AnnotationDataset();
        foreach (var category in gold.Categories)
        {
            detections.Categories.Add(category);
        }
        detections.Images.AddRange(gold.Images);
        double Jitter() => (random.NextDouble() - 0.5) * 2 * noise;
        foreach (var box in gold.Boxes)
        {
            if (random.NextDouble() < 0.04 * noise)
            {
                continue;
            }
            var category = random.NextDouble() < 0.03 * noise ? random.Next(RiverClasses.Length) + 1 : box.CategoryId;
            var image = gold.Images[(int)box.ImageId - 1];
            var x = Math.Clamp(box.X + Jitter(), 0, image.Width - 2);
            var y = Math.Clamp(box.Y + Jitter(), 0, image.Height - 2);
            var w = Math.Clamp(box.Width + Jitter(), 2, image.Width - x);
            var h = Math.Clamp(box.Height + Jitter(), 2, image.Height - y);
            var score = Math.Clamp(0.95 - noise * 0.05 + (random.NextDouble() - 0.5) * 0.2, 0.05, 0.99);
            detections.Boxes.Add(new BoxAnnotation(detections.Boxes.Count + 1, box.ImageId, category, x, y, w, h, score));
        }
        foreach (var image in gold.Images.Where(_ => random.NextDouble() < 0.05 * noise))
        {
            detections.Boxes.Add(new BoxAnnotation(detections.Boxes.Count + 1, image.Id, random.Next(RiverClasses.Length) + 1,
                random.Next(0, image.Width - 40), random.Next(0, image.Height - 30), 30, 20, random.NextDouble() * 0.4));
        }
        return detections;
    }

    // A 64×64 crop around one object on dark water.
    internal static DemoCanvas DrawCrop(int label, Random random)
    {
        var canvas = new DemoCanvas(64, 64);
        int Jitter(int value, int by) => value + random.Next(-by, by + 1);
        (int, int, int) Colour(int r, int g, int b, int by = 15) => (Jitter(r, by), Jitter(g, by), Jitter(b, by));
        canvas.Fill(Colour(20, 45, 70));
        canvas.Stripes(random.NextDouble() * 0.5, random.Next(6, 12), 0.2, Colour(35, 65, 95));
        switch (label)
        {
            case 0: // MARINE_DEBRIS: nets, crates and bottles, hard edges and bright colours
                canvas.Rect(random.Next(10, 30), random.Next(10, 30), random.Next(14, 28), random.Next(10, 24),
                    random.Next(3) switch { 0 => Colour(220, 60, 40), 1 => Colour(240, 200, 40), _ => Colour(230, 230, 230) });
                canvas.Stripes(random.NextDouble() * Math.PI, 5, 0.15, Colour(40, 40, 40));
                break;
            case 1: // MARINE_LIFE_OR_VEGETATION: green-brown fronds and round bodies
                for (var i = 0; i < 5; i++)
                {
                    canvas.Ellipse(random.Next(16, 48), random.Next(16, 48), random.Next(3, 7), random.Next(8, 16), Colour(70, 120, 50));
                }
                break;
            case 2: // OTHER: wood, foam, reflections
                canvas.Band(random.Next(20, 44), random.Next(20, 44), random.NextDouble() * Math.PI, random.Next(6, 10), Colour(130, 95, 60));
                break;
            default: // UNKNOWN: blurred, dark or cut off
                canvas.Ellipse(random.Next(0, 64), random.Next(0, 64), random.Next(10, 20), random.Next(10, 20), Colour(60, 70, 80, 25));
                canvas.Tint(0.6, 0, 0, 0);
                break;
        }
        canvas.Noise(random, 14);
        return canvas;
    }

    // A 256×160 river surface with one to four floating objects and their boxes (class, x, y, w, h).
    internal static (DemoCanvas Canvas, List<(int Label, int X, int Y, int W, int H)> Boxes) DrawRiver(Random random)
    {
        var canvas = new DemoCanvas(256, 160);
        canvas.Fill((80 + random.Next(-10, 11), 90 + random.Next(-10, 11), 60 + random.Next(-10, 11)));
        canvas.Stripes(0.1, random.Next(10, 20), 0.2, (95, 105, 75), random.Next(20));
        var boxes = new List<(int, int, int, int, int)>();
        for (var n = random.Next(1, 5); n > 0; n--)
        {
            var label = random.Next(RiverClasses.Length);
            var (w, h) = label switch
            {
                0 => (random.Next(24, 40), random.Next(18, 30)),
                1 => (random.Next(30, 44), random.Next(10, 14)),
                2 => (random.Next(12, 22), random.Next(12, 22)),
                _ => (random.Next(30, 60), random.Next(8, 14)),
            };
            var (x, y) = (random.Next(0, 256 - w), random.Next(0, 160 - h));
            if (boxes.Any(b => x < b.Item2 + b.Item4 && b.Item2 < x + w && y < b.Item3 + b.Item5 && b.Item3 < y + h))
            {
                continue;
            }
            switch (label)
            {
                case 0: canvas.Ellipse(x + w / 2.0, y + h / 2.0, w / 2.0, h / 2.0, (225, 225, 215)); break;
                case 1:
                    canvas.Rect(x, y, w, h, (120, 170, 210));
                    canvas.Rect(x + w - 5, y + h / 2 - 2, 5, 4, (30, 60, 160));
                    break;
                case 2: canvas.Rect(x, y, w, h, (random.Next(150, 250), random.Next(30, 200), random.Next(30, 200))); break;
                default: canvas.Ellipse(x + w / 2.0, y + h / 2.0, w / 2.0, h / 2.0, (110, 75, 40)); break;
            }
            boxes.Add((label, x, y, w, h));
        }
        canvas.Noise(random, 10);
        return (canvas, boxes);
    }

    private const string OceanOverview = """
        ## Help The Ocean Cleanup sort its catch

        The cleanup vessels' on-board cameras film everything their systems collect; a detector
        cuts each object out as a crop. To train better models, the crops need a class, and
        300 teams from companies and labs labelled them in one week.

        **Task 1, label the crops.** Give each crop one class: `MARINE_DEBRIS`,
        `MARINE_LIFE_OR_VEGETATION`, `OTHER` or `UNKNOWN`. Label as many as you can, well: some
        crops are hidden honeypots whose class is known. The ranking rewards both.

        **Task 2, river plastic.** As in the sister challenge on rivers, draw a box around each
        object and give its class (`PLASTIC_BAG`, `PLASTIC_BOTTLE`, `OTHER_PLASTIC_WASTE`,
        `NOT_PLASTIC_WASTE`) with a confidence.

        A model's suggestions (pre-annotations) are there to start from for both tasks. The podium
        team of the original event used active learning: train, pick the most informative images,
        label them, repeat.
        """;

    private const string OceanData = """
        ## Files

        * `crops.zip`: {0:N0} object crops (64×64 PNG) to label
        * `crop_suggestions_kili.json`: a model's class for every crop, in Kili's export format
        * `river_images.zip`: {1:N0} river images (256×160 PNG) for the detection task
        * `river_pre_annotations_yolo.zip`: a detector's boxes, as a YOLO export with confidences

        The task pages also export the pre-annotations in COCO, YOLO, Pascal VOC, Label Studio,
        CVAT or Kili, for whichever labelling tool you use.

        ## Submitting

        Upload your labelling tool's export as it comes: Kili, Label Studio, CVAT or COCO for the
        crops (image classes); YOLO (a zip with `labels/*.txt` and `data.yaml`, a confidence as
        sixth column), COCO results or Pascal VOC for the boxes. Images are matched by file name.
        """;

    private const string OceanEvaluation = """
        ## Task 1: how much, and how well

        Teams are ranked by

        `score = 70 × labelled / max_labelled + 30 × honeypot_accuracy`

        * `labelled`: how many crops your export gives a class;
        * `max_labelled`: the most any team labelled, so the team that labelled the most gets the
          full 70 and the others a share (your score moves when another team labels more);
        * `honeypot_accuracy`: the share of the hidden honeypot crops you labelled whose class
          matches the gold class (0 to 1).

        Half of the honeypots decide the public leaderboard, the other half the final ranking.

        ## Task 2: COCO mAP

        Boxes are scored as pycocotools does: average precision over IoU thresholds 0.50 to 0.95,
        averaged over the four classes. Every box needs a confidence, which orders your detections.
        """;

    private const string OceanRules = """
        * Label by hand or with model help; both are allowed, and the honeypots check the result.
        * Do not share labels between teams.
        * Five submissions per task per day; your last scored export of each task counts.
        """;
}
