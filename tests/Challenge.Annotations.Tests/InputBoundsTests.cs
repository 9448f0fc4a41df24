using System.Text;
using Challenge.Annotations.Assets;
using Challenge.Annotations.Formats;
using Challenge.Annotations.Model;
using Challenge.Annotations.Safety;

namespace Challenge.Annotations.Tests;

/// <summary>
/// Uploads built to exhaust the server rather than to be wrong: archives that expand in total, XML nested
/// without end, numbers beyond a double. Each is refused with a message that says so and names the place.
/// </summary>
public class InputBoundsTests
{
    private static readonly AnnotationDataset _gold = Fixtures.Read("formats/coco_instances.json");

    /// <summary>1,000 entries of 64 KB less one byte of zeros: each stays under the per-entry ratio check.</summary>
    private static byte[] ManySmallZeroEntries() =>
        ZipBuilder.FromEntries([("classes.txt", "PLASTIC_BAG\n"u8.ToArray()),
            .. Enumerable.Range(0, 1000).Select(i => ($"labels/zeros{i:0000}.txt", new byte[64 * 1024 - 1]))]);

    [Fact]
    public void Many_small_zero_filled_entries_are_refused_for_the_archive_total()
    {
        var zip = ManySmallZeroEntries();

        var result = SafeZip.Read(zip, "zeros.zip");

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("zeros.zip/labels/zeros", error.Entry, StringComparison.Ordinal);
        Assert.Contains("in all", error.Message, StringComparison.Ordinal);
        // Refused once the expansion passes 100 times the archive, long before the 61 MB it would reach.
        var refusedAt = int.Parse(error.Entry["zeros.zip/labels/zeros".Length..^".txt".Length], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True((refusedAt + 1) * (64L * 1024) <= 100L * zip.Length + 64 * 1024, $"refused only at entry {refusedAt}");
    }

    [Fact]
    public void The_declared_entry_count_is_checked_before_the_directory_is_read()
    {
        var zip = ZipBuilder.FromEntries(Enumerable.Range(0, 25).Select(i => ($"labels/{i}.txt", "x"u8.ToArray())).ToArray());

        Assert.Equal(25, SafeZip.DeclaredEntryCount(new MemoryStream(zip)));
        Assert.Contains("25 entries", Assert.Single(SafeZip.Read(zip, "many.zip", new ZipLimits { MaxEntries = 24 }).Errors).Message, StringComparison.Ordinal);
        var images = ZipBuilder.FromEntries(Enumerable.Range(0, 1100).Select(i => ($"frames/{i}.png", "x"u8.ToArray())).ToArray());
        Assert.Contains("declares 1,100 entries",
            Assert.Single(ImageArchive.Index(new MemoryStream(images), "images.zip", new ImageArchiveLimits { MaxImages = 1 }).Errors).Message,
            StringComparison.Ordinal);
        Assert.Null(SafeZip.DeclaredEntryCount(new MemoryStream("not a zip at all, just some text"u8.ToArray())));
    }

    [Fact]
    public void Images_inside_an_annotation_export_are_never_decompressed()
    {
        // An export "with images": the picture is a bomb, which would be refused if it were expanded.
        var zip = ZipBuilder.FromEntries(
            ("classes.txt", "PLASTIC_BAG\n"u8.ToArray()),
            ("images/cam0001.jpg", new byte[50_000_000]),
            ("labels/cam0001.txt", "0 0.2 0.2 0.2 0.2\n"u8.ToArray()));

        var result = AnnotationReader.Read(zip, "export.zip", new AnnotationReadOptions { Reference = _gold });

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        Assert.Single(result.Value!.Boxes);
    }

    [Fact]
    public void Deeply_nested_xml_is_refused_with_its_depth_and_line()
    {
        var xml = "<annotations>\n<meta>\n" + string.Concat(Enumerable.Repeat("<a>", 100_000)) + string.Concat(Enumerable.Repeat("</a>", 100_000)) + "\n</meta>\n</annotations>\n";

        var error = Assert.Single(AnnotationReader.Read(Encoding.UTF8.GetBytes(xml), "deep.xml").Errors);

        Assert.Equal(("deep.xml", 3), (error.Entry, error.Line));
        Assert.Contains($"deeper than {SafeXml.MaxDepth} levels", error.Message, StringComparison.Ordinal);
        Assert.Null(AnnotationReader.DetectFormat(Encoding.UTF8.GetBytes(xml), "deep.xml"));
    }

    [Fact]
    public void A_json_number_beyond_a_double_is_called_out_of_range()
    {
        var coco = """
            {"images": [{"id": 1, "file_name": "cam0001.jpg", "width": 1920, "height": 1080}],
             "categories": [{"id": 1, "name": "PLASTIC_BAG"}],
             "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 1e400, 50, 20]}]}
            """u8.ToArray();
        var kili = Encoding.UTF8.GetString(Fixtures.Bytes("formats/kili_export.json")).Replace("\"x\": 0.1,", "\"x\": 1e400,");

        var cocoError = Assert.Single(AnnotationReader.Read(coco, "gold.json").Errors);
        var kiliError = Assert.Single(AnnotationReader.Read(Encoding.UTF8.GetBytes(kili), "kili.json", new AnnotationReadOptions { Reference = _gold }).Errors);

        Assert.Equal(3, cocoError.Line);
        Assert.Contains("$.annotations[0].bbox: the number 1e400 is out of range", cocoError.Message, StringComparison.Ordinal);
        Assert.Contains("normalizedVertices[0].x: the number 1e400 is out of range", kiliError.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("found number", cocoError.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> Samples => new() { "coco_instances.json", "cvat_annotations.xml", "kili_export.json", "yolo_v8", "voc" };

    [Theory]
    [MemberData(nameof(Samples))]
    public void Reading_past_its_time_limit_stops_with_an_error_not_an_exception(string sample)
    {
        var isFolder = Directory.Exists(Fixtures.PathOf($"formats/{sample}"));
        var bytes = isFolder ? ZipBuilder.FromFolder($"formats/{sample}") : Fixtures.Bytes($"formats/{sample}");
        var name = isFolder ? $"{sample}.zip" : sample;

        // A limit already spent stands in for a file that takes too long: no test waits on the clock.
        var stopped = AnnotationReader.Read(bytes, name, new AnnotationReadOptions { Reference = _gold, TimeLimit = TimeSpan.Zero });
        var unhurried = AnnotationReader.Read(bytes, name, new AnnotationReadOptions { Reference = _gold, TimeLimit = TimeSpan.FromHours(1) });

        var error = Assert.Single(stopped.Errors);
        Assert.Equal(name, error.Entry);
        Assert.Contains("reading stopped after 0 s", error.Message, StringComparison.Ordinal);
        Assert.True(unhurried.Succeeded, string.Join("\n", unhurried.Errors));
    }
}
