using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Challenge.Annotations.Formats;
using Challenge.Annotations.Model;

namespace Challenge.Web.Tests.Annotations;

// A river-plastic look-alike asset set generated in the test: small real PNGs, gold boxes of four classes,
// and team exports written by the library's writers in the formats teams upload.
public static class AnnotationFixtures
{
    public static readonly string[] Classes = ["PLASTIC_BAG", "PLASTIC_BOTTLE", "OTHER_PLASTIC_WASTE", "NOT_PLASTIC_WASTE"];
    public const int ImageCount = 8;
    public const int Width = 64;
    public const int Height = 48;

    public static string ImageName(int i) => $"frame_{i:000}.png";

    public static byte[] ImagesZip(Func<int, string>? name = null)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            for (var i = 0; i < ImageCount; i++)
            {
                var entry = zip.CreateEntry($"images/{(name ?? ImageName)(i)}", CompressionLevel.Fastest);
                using var stream = entry.Open();
                stream.Write(Png(Width, Height, (byte)(40 + i * 20)));
            }
        }
        return buffer.ToArray();
    }

    // Two boxes per image, classes cycling; coordinates in pixels.
    public static AnnotationDataset Gold()
    {
        var gold = new AnnotationDataset();
        for (var c = 0; c < Classes.Length; c++)
        {
            gold.Categories.Add(new Category(c + 1, Classes[c]));
        }
        var boxId = 1L;
        for (var i = 0; i < ImageCount; i++)
        {
            gold.Images.Add(new ImageInfo(i + 1, ImageName(i), Width, Height));
            gold.Boxes.Add(new BoxAnnotation(boxId++, i + 1, i % 4 + 1, 4, 4, 20, 16));
            gold.Boxes.Add(new BoxAnnotation(boxId++, i + 1, (i + 1) % 4 + 1, 34, 20, 24, 20));
        }
        return gold;
    }

    public static byte[] GoldCoco() => AnnotationWriter.Write(Gold(), AnnotationFormat.Coco);

    // The gold boxes, minus the second box of the first `missing` images, as a team would label them.
    public static AnnotationDataset Team(int missing)
    {
        var gold = Gold();
        var team = new AnnotationDataset();
        team.Categories.AddRange(gold.Categories);
        team.Images.AddRange(gold.Images);
        team.Boxes.AddRange(gold.Boxes.Where(b => !(b.ImageId <= missing && b.Id % 2 == 0)));
        return team;
    }

    public static byte[] Kili(AnnotationDataset team) => AnnotationWriter.Write(team, AnnotationFormat.Kili);

    public static byte[] Yolo(AnnotationDataset team) => AnnotationWriter.Write(team, AnnotationFormat.Yolo);

    public static byte[] ZipOf(params (string Name, byte[] Content, CompressionLevel Level)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content, level) in entries)
            {
                using var stream = zip.CreateEntry(name, level).Open();
                stream.Write(content);
            }
        }
        return buffer.ToArray();
    }

    // A real, decodable grey PNG: signature, IHDR, one zlib IDAT, IEND.
    public static byte[] Png(int width, int height, byte grey)
    {
        var raw = new byte[(width + 1) * height];
        for (var y = 0; y < height; y++)
        {
            raw.AsSpan(y * (width + 1) + 1, width).Fill(grey);
        }
        using var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            z.Write(raw);
        }
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;
        header[9] = 0;
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", compressed.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream output, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        output.Write(length);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        output.Write(typed);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typed));
        output.Write(crc);
    }

    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }
        return ~crc;
    }
}
