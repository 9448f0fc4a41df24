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
