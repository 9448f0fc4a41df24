using System.Text;
using Challenge.Annotations.Formats;
using Challenge.Annotations.Model;

namespace Challenge.Annotations.Tests;

public class FormatTests
{
    private static readonly AnnotationDataset _gold = Fixtures.Read("formats/coco_instances.json");

    private static readonly Dictionary<string, string> _goldImageClasses = new()
    {
        ["cam0001.jpg"] = "MARINE_DEBRIS",
        ["cam0002.jpg"] = "MARINE_LIFE_OR_VEGETATION",
        ["cam0003.jpg"] = "OTHER",
    };

    public static TheoryData<string, AnnotationFormat, bool> Samples => new()
    {
        { "coco_results.json", AnnotationFormat.CocoResults, false },
        { "kili_export.json", AnnotationFormat.Kili, true },
        { "kili_per_asset", AnnotationFormat.Kili, true },
        { "yolo_v8", AnnotationFormat.Yolo, false },
        { "yolo_v4", AnnotationFormat.Yolo, false },
        { "voc", AnnotationFormat.PascalVoc, false },
        { "label_studio.json", AnnotationFormat.LabelStudio, true },
        { "cvat_annotations.xml", AnnotationFormat.Cvat, true },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void Each_tool_sample_is_detected_and_reads_to_the_gold_boxes(string sample, AnnotationFormat format, bool carriesImageClasses)
    {
        var bytes = SampleBytes(sample);
        var name = Directory.Exists(Fixtures.PathOf($"formats/{sample}")) ? $"{sample}.zip" : sample;
        var result = AnnotationReader.Read(bytes, name, new AnnotationReadOptions { Reference = _gold });
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));

        AssertSameBoxes(_gold, result.Value!, compareScores: false);
        Assert.Equal(format, DetectedFormat(bytes, name));
        if (carriesImageClasses)
        {
            var images = _gold.ImagesById();
            Assert.Equal(_goldImageClasses.OrderBy(p => p.Key),
                result.Value!.ImageLabels.Select(l => new KeyValuePair<string, string>(images[l.ImageId].FileName, l.ClassName)).OrderBy(p => p.Key));
        }
    }

    public static TheoryData<AnnotationFormat> AllFormats => new(Enum.GetValues<AnnotationFormat>());

    [Theory]
    [MemberData(nameof(AllFormats))]
    public void Export_then_import_gives_the_same_annotations(AnnotationFormat format)
    {
        var original = RichDataset(withScores: format == AnnotationFormat.CocoResults);
        var exported = AnnotationWriter.Write(original, format);

        var result = AnnotationReader.Read(exported, "export" + AnnotationWriter.FileExtension(format),
            new AnnotationReadOptions { Reference = original });

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        AssertSameBoxes(original, result.Value!);
        Assert.Equal(format, DetectedFormat(exported, "export" + AnnotationWriter.FileExtension(format)));
        if (format is AnnotationFormat.Kili or AnnotationFormat.LabelStudio or AnnotationFormat.Cvat)
        {
            Assert.Equal(original.ImageLabels.OrderBy(l => l.ImageId), result.Value!.ImageLabels.OrderBy(l => l.ImageId));
        }
    }

    [Theory]
    [InlineData(YoloStyle.V4Darknet)]
    [InlineData(YoloStyle.V5Ultralytics)]
    public void Both_yolo_layouts_round_trip_with_scores(YoloStyle style)
    {
        var original = RichDataset(withScores: true);
        var exported = AnnotationWriter.Write(original, AnnotationFormat.Yolo, style);

        var result = AnnotationReader.Read(exported, "labels.zip", new AnnotationReadOptions { Reference = original });

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        AssertSameBoxes(original, result.Value!);
    }

    [Fact]
    public void Coco_instances_round_trip_without_a_reference_keeps_ids_and_areas()
    {
        var exported = AnnotationWriter.Write(_gold, AnnotationFormat.Coco);
        var again = AnnotationReader.Read(exported, "gold.json").Value!;

        Assert.Equal(_gold.Images, again.Images);
        Assert.Equal(_gold.Categories, again.Categories);
        Assert.Equal(_gold.Boxes, again.Boxes);
    }

    [Fact]
    public void Unmatched_image_names_and_unknown_classes_are_reported_not_dropped()
    {
        var yolo = ZipBuilder.FromEntries(
            ("data.yaml", Encoding.UTF8.GetBytes("names: [PLASTIC_BAG, PLASTIC_BOTTLE, OTHER_PLASTIC_WASTE, NOT_PLASTIC_WASTE, TYRE]\n")),
            ("labels/cam0001.txt", Encoding.UTF8.GetBytes("0 0.2 0.2 0.2 0.2\n")),
            ("labels/cam9999.txt", Encoding.UTF8.GetBytes("1 0.5 0.5 0.1 0.1\n")),
            ("labels/cam0002.txt", Encoding.UTF8.GetBytes("2 0.5 0.5 0.1 0.1\n4 0.5 0.5 0.1 0.1\n")));

        var result = AnnotationReader.Read(yolo, "team.zip", new AnnotationReadOptions { Reference = _gold });

        Assert.False(result.Succeeded);
        Assert.Contains(result.Errors, e => e.Entry == "team.zip/labels/cam9999.txt" && e.Message.Contains("cam9999", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Entry == "team.zip/labels/cam0002.txt" && e.Line == 2 && e.Message.Contains("TYRE", StringComparison.Ordinal));
    }

    [Fact]
    public void A_bad_yolo_line_is_named_by_entry_and_line()
    {
        var yolo = ZipBuilder.FromEntries(
            ("classes.txt", Encoding.UTF8.GetBytes("PLASTIC_BAG\n")),
            ("labels/cam0001.txt", Encoding.UTF8.GetBytes("0 0.2 0.2 0.2 0.2\n0 0.2 zero 0.2 0.2\n")));

        var result = AnnotationReader.Read(yolo, "team.zip", new AnnotationReadOptions { Reference = _gold });

        var error = Assert.Single(result.Errors);
        Assert.Equal(("team.zip/labels/cam0001.txt", 2), (error.Entry, error.Line));
    }

    [Fact]
    public void A_coco_value_of_the_wrong_type_is_named_by_path_and_line()
    {
        var coco = """
            {"images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}],
             "categories": [{"id": 1, "name": "PLASTIC_BAG"}],
             "annotations": [
               {"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 2, 3, 4]},
               {"id": 2, "image_id": 1, "category_id": 1, "bbox": [1, "two", 3, 4]}
             ]}
            """u8.ToArray();

        var error = Assert.Single(AnnotationReader.Read(coco, "gold.json").Errors);

        Assert.Equal(("gold.json", 5), (error.Entry, error.Line));
        Assert.Contains("$.annotations[1].bbox", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Forcing_a_format_overrides_detection()
    {
        var bytes = Fixtures.Bytes("formats/coco_instances.json");

        var result = AnnotationReader.Read(bytes, "gold.json", new AnnotationReadOptions { Format = AnnotationFormat.CocoResults });

        Assert.False(result.Succeeded);
        Assert.Contains("array", result.Errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Yolo_without_the_gold_sizes_is_refused_with_a_reason()
    {
        var result = AnnotationReader.Read(ZipBuilder.FromFolder("formats/yolo_v8"), "team.zip");

        Assert.False(result.Succeeded);
        Assert.Contains("size", result.Errors[0].Message, StringComparison.Ordinal);
    }

    private static AnnotationFormat? DetectedFormat(byte[] bytes, string name) => AnnotationReader.DetectFormat(bytes, name);

    private static byte[] SampleBytes(string sample) =>
        Directory.Exists(Fixtures.PathOf($"formats/{sample}")) ? ZipBuilder.FromFolder($"formats/{sample}") : Fixtures.Bytes($"formats/{sample}");

    /// <summary>Several boxes per image, fractional pixels, a crowd box, images without boxes, image classes.</summary>
    private static AnnotationDataset RichDataset(bool withScores)
    {
        var dataset = new AnnotationDataset();
        dataset.Categories.AddRange([new Category(1, "PLASTIC_BAG"), new Category(2, "PLASTIC_BOTTLE"), new Category(5, "OTHER_PLASTIC_WASTE")]);
        var random = new Random(7);
        var boxId = 1;
        for (var i = 1; i <= 12; i++)
        {
            var (width, height) = i % 3 == 0 ? (1280, 720) : (1920, 1080);
            dataset.Images.Add(new ImageInfo(100 + i, $"frames/cam{i:0000}.jpg", width, height));
            dataset.ImageLabels.Add(new ImageLabel(100 + i, i % 2 == 0 ? "MARINE_DEBRIS" : "UNKNOWN"));
            for (var b = 0; b < i % 4; b++)
            {
                var w = Math.Round(random.NextDouble() * 300 + 5, 2);
                var h = Math.Round(random.NextDouble() * 200 + 5, 2);
                dataset.Boxes.Add(new BoxAnnotation(boxId++, 100 + i, dataset.Categories[b % 3].Id,
                    Math.Round(random.NextDouble() * (width - w), 2), Math.Round(random.NextDouble() * (height - h), 2), w, h,
                    Score: withScores ? Math.Round(random.NextDouble(), 3) : null));
            }
        }

        return dataset;
    }

    private static void AssertSameBoxes(AnnotationDataset expected, AnnotationDataset actual, bool compareScores = true)
    {
        string Key(BoxAnnotation b) =>
            $"{b.ImageId}/{b.CategoryId}/{Math.Round(b.X, 6)}/{Math.Round(b.Y, 6)}/{Math.Round(b.Width, 6)}/{Math.Round(b.Height, 6)}/{(compareScores ? b.Score : null)}";

        Assert.Equal(expected.Boxes.Select(Key).Order(), actual.Boxes.Select(Key).Order());
    }
}
