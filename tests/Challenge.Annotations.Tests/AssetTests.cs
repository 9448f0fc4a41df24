using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Challenge.Annotations.Assets;
using Challenge.Annotations.Formats;
using Challenge.Annotations.Model;

namespace Challenge.Annotations.Tests;

public class AssetTests
{
    private static byte[] PngHeader(int width, int height)
    {
        var bytes = new byte[33];
        new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }.CopyTo(bytes, 0);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), 13);
        "IHDR"u8.CopyTo(bytes.AsSpan(12));
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(16), width);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(20), height);
        return bytes;
    }

    // SOI, an APP1 segment of metadata (as cameras write EXIF), then SOF0 with the size.
    private static byte[] JpegHeader(int width, int height)
    {
        var bytes = new List<byte> { 0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x10 };
        bytes.AddRange(new byte[14]);
        bytes.AddRange([0xFF, 0xC0, 0x00, 0x11, 0x08, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 0x03]);
        bytes.AddRange(new byte[9]);
        return [.. bytes];
    }

    private static byte[] Zip(params (string Name, byte[] Content)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using var stream = zip.CreateEntry(name).Open();
                stream.Write(content);
            }
        }
        return buffer.ToArray();
    }

    [Fact]
    public void Png_and_jpeg_sizes_are_read_from_their_headers()
    {
        Assert.Equal(new ImageHeader(ImageKind.Png, 3840, 2160), ImageHeader.TryRead(PngHeader(3840, 2160), out _));
        Assert.Equal(new ImageHeader(ImageKind.Jpeg, 1920, 1080), ImageHeader.TryRead(JpegHeader(1920, 1080), out _));
        Assert.Null(ImageHeader.TryRead("GIF89a........"u8, out var problem));
        Assert.Equal("not a PNG or JPEG image", problem);
        Assert.Null(ImageHeader.TryRead(PngHeader(0, 10), out problem));
        Assert.Contains("impossible size", problem);
    }

    [Fact]
    public void An_archive_is_indexed_with_sizes_and_operating_system_clutter_is_skipped()
    {
        var archive = Zip(("a/one.png", PngHeader(64, 48)), ("b/two.jpg", JpegHeader(32, 16)), ("__MACOSX/a/._one.png", [1, 2]), ("a/.DS_Store", [0]));
        var index = ImageArchive.Index(new MemoryStream(archive), "set.zip");
        Assert.True(index.Succeeded, string.Join("; ", index.Errors));
        Assert.Equal(["a/one.png", "b/two.jpg"], index.Value!.Select(i => i.EntryName));
        Assert.Equal((64, 48), (index.Value![0].Width, index.Value[0].Height));
        Assert.Equal(ImageKind.Jpeg, index.Value[1].Kind);
        using var image = ImageArchive.OpenImage(new MemoryStream(archive), "b/two.jpg")!;
        Assert.Equal(JpegHeader(32, 16), ((MemoryStream)image).ToArray());
    }

    [Fact]
    public void Duplicate_file_names_and_too_many_images_are_refused_naming_the_entry()
    {
        var duplicate = ImageArchive.Index(new MemoryStream(Zip(("a/x.png", PngHeader(1, 1)), ("b/X.png", PngHeader(1, 1)))), "set.zip");
        Assert.Equal("set.zip/b/X.png", duplicate.Errors.Single().Entry);
        Assert.Contains("'a/x.png'", duplicate.Errors.Single().Message);
        var many = ImageArchive.Index(new MemoryStream(Zip(("1.png", PngHeader(1, 1)), ("2.png", PngHeader(1, 1)))), "set.zip", new ImageArchiveLimits { MaxImages = 1 });
        Assert.Equal("set.zip/2.png", many.Errors.Single().Entry);
        var empty = ImageArchive.Index(new MemoryStream(Zip()), "set.zip");
        Assert.Contains("no PNG or JPEG", empty.Errors.Single().Message);
        var notZip = ImageArchive.Index(new MemoryStream(Encoding.UTF8.GetBytes("hello")), "set.zip");
        Assert.Contains("not a readable zip", notZip.Errors.Single().Message);
    }

    [Fact]
    public void The_split_takes_exactly_the_share_is_stable_under_reordering_and_moves_with_the_seed()
    {
        var images = Enumerable.Range(1, 1000).Select(i => new ImageInfo(i, $"frame_{i:0000}.jpg", 10, 10)).ToList();
        var split = ImageSplit.PublicImageIds(images, 0.3, 42);
        Assert.Equal(300, split.Count);
        Assert.Equal(split, ImageSplit.PublicImageIds(Enumerable.Reverse(images), 0.3, 42));
        var other = ImageSplit.PublicImageIds(images, 0.3, 43);
        Assert.InRange(split.Intersect(other).Count(), 40, 160);
    }

    [Fact]
    public void Gold_read_against_an_image_index_takes_its_own_classes_and_refuses_unknown_images()
    {
        var index = new AnnotationDataset();
        index.Images.Add(new ImageInfo(1, "images/a.png", 100, 50));
        index.Images.Add(new ImageInfo(2, "images/b.png", 100, 50));
        var yolo = Zip(("classes.txt", "bag\nbottle\n"u8.ToArray()), ("labels/a.txt", "1 0.5 0.5 0.2 0.4\n"u8.ToArray()));
        var gold = AnnotationReader.Read(yolo, "gold.zip", new AnnotationReadOptions { Reference = index, AddUnknownClasses = true });
        Assert.True(gold.Succeeded, string.Join("; ", gold.Errors));
        Assert.Equal(["bag", "bottle"], gold.Value!.Categories.Select(c => c.Name));
        var box = gold.Value.Boxes.Single();
        Assert.Equal((40.0, 15.0, 20.0, 20.0), (box.X, box.Y, box.Width, box.Height));

        var stray = Zip(("classes.txt", "bag\n"u8.ToArray()), ("labels/zzz.txt", "0 0.5 0.5 0.2 0.4\n"u8.ToArray()));
        var refused = AnnotationReader.Read(stray, "gold.zip", new AnnotationReadOptions { Reference = index, AddUnknownClasses = true });
        Assert.Contains(refused.Errors, e => e.Message.Contains("'zzz", StringComparison.Ordinal) || e.Entry.Contains("zzz", StringComparison.Ordinal));
    }
}
