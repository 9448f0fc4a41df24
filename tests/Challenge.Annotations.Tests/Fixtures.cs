using System.IO.Compression;
using System.Text.Json;
using Challenge.Annotations.Formats;
using Challenge.Annotations.Model;

namespace Challenge.Annotations.Tests;

internal static class Fixtures
{
    public static string PathOf(string relative) => Path.Combine(AppContext.BaseDirectory, "fixtures", relative);

    public static byte[] Bytes(string relative) => File.ReadAllBytes(PathOf(relative));

    public static JsonElement Json(string relative) => JsonDocument.Parse(Bytes(relative)).RootElement;

    public static AnnotationDataset Read(string relative, AnnotationDataset? reference = null, AnnotationFormat? format = null)
    {
        var result = AnnotationReader.Read(Bytes(relative), Path.GetFileName(relative), new AnnotationReadOptions { Reference = reference, Format = format });
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        return result.Value!;
    }
}

internal static class ZipBuilder
{
    /// <summary>Zips a fixture folder as the tool would hand it over; paths inside are relative to the folder.</summary>
    public static byte[] FromFolder(string relative)
    {
        var root = Fixtures.PathOf(relative);
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var file in Directory.GetFiles(root, "*", SearchOption.AllDirectories).Order())
            {
                zip.CreateEntryFromFile(file, Path.GetRelativePath(root, file).Replace('\\', '/'));
            }
        }

        return buffer.ToArray();
    }

    public static byte[] FromEntries(params (string Name, byte[] Content)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using var stream = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
                stream.Write(content);
            }
        }

        return buffer.ToArray();
    }
}
