using System.Text;
using Challenge.Annotations.Formats;
using Challenge.Annotations.Model;
using Challenge.Annotations.Safety;

namespace Challenge.Annotations.Tests;

public class SafetyTests
{
    private static readonly AnnotationDataset _gold = Fixtures.Read("formats/coco_instances.json");

    [Theory]
    [InlineData("../evil.txt")]
    [InlineData("labels/../../evil.txt")]
    [InlineData("/etc/cron.d/evil")]
    [InlineData("C:/Windows/evil.txt")]
    [InlineData("..\\evil.txt")]
    public void Entries_that_escape_the_extraction_folder_are_refused_by_name(string entryName)
    {
        var zip = ZipBuilder.FromEntries(("classes.txt", "PLASTIC_BAG\n"u8.ToArray()), (entryName, "0 0.5 0.5 0.1 0.1\n"u8.ToArray()));

        var result = AnnotationReader.Read(zip, "team.zip", new AnnotationReadOptions { Reference = _gold });

        var error = Assert.Single(result.Errors);
        Assert.Equal($"team.zip/{entryName}", error.Entry);
        Assert.Contains("not accepted", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_zip_bomb_entry_is_refused_for_its_compression_ratio()
    {
        var zip = ZipBuilder.FromEntries(("classes.txt", "PLASTIC_BAG\n"u8.ToArray()), ("labels/cam0001.txt", new byte[20_000_000]));

        var result = AnnotationReader.Read(zip, "bomb.zip", new AnnotationReadOptions { Reference = _gold });

        var error = Assert.Single(result.Errors);
        Assert.Equal("bomb.zip/labels/cam0001.txt", error.Entry);
        Assert.Contains("zip bomb", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Entry_count_entry_size_and_total_size_are_bounded()
    {
        var many = ZipBuilder.FromEntries(Enumerable.Range(0, 11).Select(i => ($"labels/{i}.txt", "x"u8.ToArray())).ToArray());
        var big = ZipBuilder.FromEntries(("labels/a.txt", RandomText(5000)));
        var total = ZipBuilder.FromEntries(("labels/a.txt", RandomText(3000)), ("labels/b.txt", RandomText(3000)));
        var limits = new ZipLimits { MaxEntries = 10, MaxEntryBytes = 4000, MaxTotalBytes = 5000 };

        var tooMany = SafeZip.Read(many, "many.zip", limits);
        var tooBig = SafeZip.Read(big, "big.zip", limits);
        var tooMuch = SafeZip.Read(total, "total.zip", limits);

        Assert.Contains("11 entries", Assert.Single(tooMany.Errors).Message, StringComparison.Ordinal);
        Assert.Equal("big.zip/labels/a.txt", Assert.Single(tooBig.Errors).Entry);
        Assert.Contains("one entry", tooBig.Errors[0].Message, StringComparison.Ordinal);
        Assert.Equal("total.zip/labels/b.txt", Assert.Single(tooMuch.Errors).Entry);
        Assert.Contains("in all", tooMuch.Errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Billion_laughs_xml_is_refused_without_expanding()
    {
        const string laughs = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [
              <!ENTITY lol "lol">
              <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
              <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
              <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
              <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
              <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
              <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
              <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
              <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
            ]>
            <annotations><image name="&lol9;" width="1" height="1"/></annotations>
            """;

        var result = AnnotationReader.Read(Encoding.UTF8.GetBytes(laughs), "cvat.xml", new AnnotationReadOptions { Reference = _gold });

        var error = Assert.Single(result.Errors);
        Assert.Equal("cvat.xml", error.Entry);
        Assert.Contains("DTD", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void External_entities_are_refused_inside_a_zip_and_the_entry_is_named()
    {
        var xxe = """
            <?xml version="1.0"?>
            <!DOCTYPE annotation [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>
            <annotation><filename>&secret;</filename></annotation>
            """;
        var zip = ZipBuilder.FromEntries(("Annotations/cam0001.xml", Encoding.UTF8.GetBytes(xxe)));

        var result = AnnotationReader.Read(zip, "voc.zip", new AnnotationReadOptions { Reference = _gold, Format = AnnotationFormat.PascalVoc });

        var error = Assert.Single(result.Errors);
        Assert.Equal("voc.zip/Annotations/cam0001.xml", error.Entry);
        Assert.Contains("DTD", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("root:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Broken_json_is_reported_with_its_line()
    {
        var result = AnnotationReader.Read("[\n{\"image_id\": 1,\n\"bbox\": [1,2,3,4] \"score\": 1}\n]"u8.ToArray(), "dets.json");

        var error = Assert.Single(result.Errors);
        Assert.Equal(("dets.json", 3), (error.Entry, error.Line));
    }

    [Fact]
    public void Arbitrary_bytes_never_escape_as_exceptions()
    {
        var random = new Random(11);
        var seeds = new List<byte[]>
        {
            Fixtures.Bytes("formats/coco_instances.json"),
            Fixtures.Bytes("formats/kili_export.json"),
            Fixtures.Bytes("formats/cvat_annotations.xml"),
            Fixtures.Bytes("formats/label_studio.json"),
            ZipBuilder.FromFolder("formats/yolo_v8"),
            ZipBuilder.FromFolder("formats/voc"),
        };
        foreach (var seed in seeds)
        {
            for (var round = 0; round < 150; round++)
            {
                var mutated = (byte[])seed.Clone();
                for (var flips = random.Next(1, 6); flips > 0; flips--)
                {
                    mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
                }

                var truncated = mutated[..random.Next(mutated.Length)];
                foreach (var bytes in new[] { mutated, truncated })
                {
                    var result = AnnotationReader.Read(bytes, "upload", new AnnotationReadOptions { Reference = _gold });
                    Assert.True(result.Succeeded || result.Errors.Count > 0);
                }
            }
        }
    }

    private static byte[] RandomText(int length)
    {
        var random = new Random(length);
        return Enumerable.Range(0, length).Select(_ => (byte)random.Next('a', 'z' + 1)).ToArray();
    }
}
