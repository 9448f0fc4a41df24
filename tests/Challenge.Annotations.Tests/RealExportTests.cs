using System.Text;
using Challenge.Annotations.Formats;
using Challenge.Annotations.Metrics;
using Challenge.Annotations.Model;

namespace Challenge.Annotations.Tests;

/// <summary>
/// Files shaped like what the tools really write (formats/make_real_exports.py), each with the feature a reader
/// once got wrong: 64-bit ids, rotated Kili assets, indexed YOLO class lists, CVAT video and project exports,
/// rotated boxes, gold ids of 0.
/// </summary>
public class RealExportTests
{
    private static readonly AnnotationDataset _gold = Fixtures.Read("formats/coco_instances.json");

    public static TheoryData<string> SamplesThatReadToTheGoldBoxes => new()
    {
        "kili_rotated.json",
        "yolo_kili_v4",
        "yolo_roboflow",
        "yolo_flow_map",
    };

    [Theory]
    [MemberData(nameof(SamplesThatReadToTheGoldBoxes))]
    public void Each_real_export_reads_to_the_gold_boxes(string sample)
    {
        var isFolder = Directory.Exists(Fixtures.PathOf($"formats/{sample}"));
        var bytes = isFolder ? ZipBuilder.FromFolder($"formats/{sample}") : Fixtures.Bytes($"formats/{sample}");

        var result = AnnotationReader.Read(bytes, isFolder ? $"{sample}.zip" : sample, new AnnotationReadOptions { Reference = _gold });

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        Assert.Equal(BoxKeys(_gold), BoxKeys(result.Value!));
    }

    [Fact]
    public void Coco_ids_beyond_32_bits_are_read_and_scored_like_pycocotools()
    {
        var gold = Fixtures.Read("formats/coco_large_ids.json");
        var results = Fixtures.Read("formats/coco_large_ids_results.json", gold);

        Assert.Equal([20180000001L, 20180000002L, 20180000003L], gold.Images.Select(i => i.Id));
        Assert.Contains(gold.Categories, c => c.Id == 4294967300L && c.Name == "NOT_PLASTIC_WASTE");
        Assert.Equal([900000000001L, 900000000002L, 900000000003L, 900000000004L], gold.Boxes.Select(b => b.Id));
        Assert.Equal(gold.Boxes.Select(b => (b.ImageId, b.CategoryId)), results.Boxes.Select(b => (b.ImageId, b.CategoryId)));
        // Every detection sits exactly on its gold box, so pycocotools gives AP 1 for each class.
        Assert.Equal(1.0, CocoEvaluator.Evaluate(gold, results).Ap, 12);
    }

    [Fact]
    public void Kili_rotation_is_turned_back_as_kilis_exporter_does()
    {
        // kili-python-sdk reverse_rotation_vertices: 90 -> (y, 1 - x), 180 -> (1 - x, 1 - y), 270 -> (1 - y, x).
        Assert.Equal((0.375, 0.25), KiliFormat.Unrotate(0.75, 0.375, 90));
        Assert.Equal((0.25, 0.625), KiliFormat.Unrotate(0.75, 0.375, 180));
        Assert.Equal((0.625, 0.75), KiliFormat.Unrotate(0.75, 0.375, 270));
    }

    [Fact]
    public void A_kili_rotation_that_is_not_a_quarter_turn_is_refused_with_its_path()
    {
        var json = Encoding.UTF8.GetString(Fixtures.Bytes("formats/kili_rotated.json")).Replace("\"rotation\": 90", "\"rotation\": 45");

        var result = AnnotationReader.Read(Encoding.UTF8.GetBytes(json), "kili.json", new AnnotationReadOptions { Reference = _gold });

        var error = Assert.Single(result.Errors);
        Assert.Contains("[0].jsonResponse.ROTATION_JOB.rotation", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_class_list_whose_lines_do_not_all_carry_an_index_keeps_the_whole_lines()
    {
        var yolo = ZipBuilder.FromEntries(
            ("classes.txt", "0 PLASTIC_BAG\nPLASTIC_BOTTLE\n"u8.ToArray()),
            ("labels/cam0001.txt", "0 0.2 0.2 0.2 0.2\n"u8.ToArray()));

        var result = AnnotationReader.Read(yolo, "team.zip", new AnnotationReadOptions { Reference = _gold });

        Assert.Contains(result.Errors, e => e.Message.Contains("'0 PLASTIC_BAG'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("names:\n  - PLASTIC_BAG\n  - PLASTIC_BOTTLE\n")]
    [InlineData("names:\n  0: PLASTIC_BAG\n  1: PLASTIC_BOTTLE\n")]
    [InlineData("names: [PLASTIC_BAG, \"PLASTIC_BOTTLE\"]\n")]
    [InlineData("names: {0: PLASTIC_BAG, 1: 'PLASTIC_BOTTLE'}\n")]
    [InlineData("nc: 2\nnames: ['PLASTIC_BAG',\n  'PLASTIC_BOTTLE']\n")]
    public void Data_yaml_names_are_read_in_each_list_and_map_form(string yaml)
    {
        var zip = ZipBuilder.FromEntries(
            ("data.yaml", Encoding.UTF8.GetBytes(yaml)),
            ("labels/cam0001.txt", "0 0.2 0.2 0.2 0.2\n1 0.525 0.525 0.05 0.05\n"u8.ToArray()));

        var result = AnnotationReader.Read(zip, "team.zip", new AnnotationReadOptions { Reference = _gold });

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        Assert.Equal([1L, 2L], result.Value!.Boxes.Select(b => b.CategoryId));
    }

    [Fact]
    public void Deeply_nested_yaml_is_refused_without_recursing()
    {
        var zip = ZipBuilder.FromEntries(
            ("data.yaml", Encoding.UTF8.GetBytes("x: " + new string('[', 50_000) + "\nnames: [a]\n")),
            ("labels/cam0001.txt", "0 0.2 0.2 0.2 0.2\n"u8.ToArray()));

        var error = Assert.Single(AnnotationReader.Read(zip, "team.zip", new AnnotationReadOptions { Reference = _gold }).Errors);

        Assert.Equal("team.zip/data.yaml", error.Entry);
        Assert.Contains("nests deeper", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cvat_video_tracks_become_a_box_on_each_frame_they_are_not_outside()
    {
        var reference = new AnnotationDataset();
        reference.Categories.AddRange(_gold.Categories);
        reference.Images.AddRange(Enumerable.Range(0, 3).Select(f => new ImageInfo(f + 1, $"clip/frame_{f:000000}.jpg", 1920, 1080)));

        var read = Fixtures.Read("formats/cvat_video.xml", reference);
        var alone = Fixtures.Read("formats/cvat_video.xml");

        Assert.Equal(
            ["1 PLASTIC_BAG 192", "2 PLASTIC_BAG 212", "2 PLASTIC_BOTTLE 960", "3 PLASTIC_BOTTLE 960"],
            read.Boxes.Select(b => $"{b.ImageId} {reference.Categories.Single(c => c.Id == b.CategoryId).Name} {b.X}").Order());
        Assert.Equal(["frame_000000", "frame_000001", "frame_000002"], alone.Images.Select(i => i.FileName));
        Assert.All(alone.Images, i => Assert.Equal((1920, 1080), (i.Width, i.Height)));
    }

    [Fact]
    public void Cvat_video_tracks_without_boxes_are_refused_not_read_as_empty()
    {
        var xml = """
            <?xml version="1.0" encoding="utf-8"?>
            <annotations>
              <version>1.1</version>
              <track id="0" label="PLASTIC_BAG" source="manual">
                <polygon frame="0" outside="0" occluded="0" keyframe="1" points="1,1;5,1;5,5" z_order="0"></polygon>
              </track>
            </annotations>
            """u8.ToArray();

        var error = Assert.Single(AnnotationReader.Read(xml, "video.xml").Errors);

        Assert.Equal(("video.xml", 4), (error.Entry, error.Line));
        Assert.Contains("<track>", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cvat_project_images_are_keyed_by_subset_and_name_on_both_sides()
    {
        var gold = Fixtures.Read("formats/cvat_project.xml");
        var submission = Fixtures.Read("formats/cvat_project.xml", gold);

        Assert.Equal(["train/cam0001.jpg", "train/cam0002.jpg", "test/cam0001.jpg"], gold.Images.Select(i => i.FileName));
        Assert.Equal([1, 1, 2], gold.Images.Select(i => gold.Boxes.Count(b => b.ImageId == i.Id)));
        Assert.Equal(BoxKeys(gold), BoxKeys(submission));
    }

    [Fact]
    public void A_name_that_fits_two_subsets_of_the_gold_is_refused_naming_both()
    {
        var gold = Fixtures.Read("formats/cvat_project.xml");

        var result = AnnotationReader.Read(Fixtures.Bytes("formats/cvat_annotations.xml"), "team.xml", new AnnotationReadOptions { Reference = gold });

        Assert.Contains(result.Errors, e => e.Message.Contains("'cam0001.jpg' could be any of 2 gold images (train/cam0001.jpg, test/cam0001.jpg)", StringComparison.Ordinal));
    }

    [Fact]
    public void Project_copies_that_all_fit_one_gold_image_are_refused_instead_of_merged()
    {
        var result = AnnotationReader.Read(Fixtures.Bytes("formats/cvat_project.xml"), "team.xml", new AnnotationReadOptions { Reference = _gold });

        Assert.Contains(result.Errors, e => e.Message.Contains("both match the gold image 'cam0001.jpg'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_name_repeated_within_one_subset_is_refused_naming_it()
    {
        var xml = Encoding.UTF8.GetString(Fixtures.Bytes("formats/cvat_project.xml")).Replace("name=\"cam0002.jpg\"", "name=\"cam0001.jpg\"");

        var error = Assert.Single(AnnotationReader.Read(Encoding.UTF8.GetBytes(xml), "project.xml").Errors);

        Assert.Contains("'cam0001.jpg' appears twice in subset 'train'", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> RotatedSamples => new()
    {
        { "cvat_rotated.xml", "<box label=\"PLASTIC_BOTTLE\"> is rotated" },
        { "voc_rotated", "<robndbox>" },
        { "label_studio_rotated.json", "[0].result[1].value.rotation: rotated rectangles" },
        { "label_studio_image_rotation.json", "[0].result[0].image_rotation: the region was drawn on a rotated image" },
    };

    [Theory]
    [MemberData(nameof(RotatedSamples))]
    public void A_rotated_box_is_refused_naming_its_element(string sample, string expected)
    {
        var isFolder = Directory.Exists(Fixtures.PathOf($"formats/{sample}"));
        var bytes = isFolder ? ZipBuilder.FromFolder($"formats/{sample}") : Fixtures.Bytes($"formats/{sample}");

        var error = Assert.Single(AnnotationReader.Read(bytes, isFolder ? $"{sample}.zip" : sample, new AnnotationReadOptions { Reference = _gold }).Errors);

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.True(error.Line is not null || error.Message.StartsWith('['), $"no line or path: {error}");
    }

    [Fact]
    public void A_rotated_coco_box_and_a_yolo_obb_line_are_refused_as_rotated()
    {
        var coco = """
            {"images": [{"id": 1, "file_name": "cam0001.jpg", "width": 1920, "height": 1080}],
             "categories": [{"id": 1, "name": "PLASTIC_BAG"}],
             "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 10, 50, 20, 0.5]}]}
            """u8.ToArray();
        var obb = ZipBuilder.FromEntries(
            ("classes.txt", "PLASTIC_BAG\n"u8.ToArray()),
            ("labels/cam0001.txt", "0 0.1 0.1 0.3 0.1 0.3 0.3 0.1 0.3\n"u8.ToArray()));

        var cocoError = Assert.Single(AnnotationReader.Read(coco, "gold.json").Errors);
        var obbError = Assert.Single(AnnotationReader.Read(obb, "team.zip", new AnnotationReadOptions { Reference = _gold }).Errors);

        Assert.Contains("$.annotations[0].bbox: a rotated box", cocoError.Message, StringComparison.Ordinal);
        Assert.Equal(("team.zip/labels/cam0001.txt", 1), (obbError.Entry, obbError.Line));
        Assert.Contains("rotated", obbError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gold_annotations_with_id_0_are_read_with_a_warning()
    {
        var result = AnnotationReader.Read(Fixtures.Bytes("formats/coco_id_zero.json"), "gold.json");

        Assert.True(result.Succeeded);
        var warning = Assert.Single(result.Warnings);
        Assert.Contains("annotations[0]", warning.Message, StringComparison.Ordinal);
        Assert.Contains("pycocotools", warning.Message, StringComparison.Ordinal);
        Assert.Empty(AnnotationReader.Read(Fixtures.Bytes("formats/coco_instances.json"), "gold.json").Warnings);
    }

    private static List<string> BoxKeys(AnnotationDataset dataset)
    {
        var images = dataset.ImagesById();
        var classes = dataset.Categories.ToDictionary(c => c.Id, c => c.Name);
        return dataset.Boxes
            .Select(b => $"{images[b.ImageId].FileName}/{classes[b.CategoryId]}/{Math.Round(b.X, 6)}/{Math.Round(b.Y, 6)}/{Math.Round(b.Width, 6)}/{Math.Round(b.Height, 6)}")
            .Order().ToList();
    }
}
