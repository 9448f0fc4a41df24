namespace Challenge.Annotations.Formats;

/// <summary>How a format states box coordinates; fractions and percents need the image size to become pixels.</summary>
internal enum BoxUnits
{
    Pixels,
    Fraction,
    Percent,
}

/// <summary>A box as a file states it, before images and classes are matched to the gold set.</summary>
internal sealed record ParsedBox(
    string? CategoryName,
    long? CategoryId,
    double X,
    double Y,
    double Width,
    double Height,
    BoxUnits Units,
    double? Score = null,
    bool IsCrowd = false,
    double? Area = null,
    long? Id = null,
    int? Line = null);

/// <summary>An image as a file refers to it: by id, by file name, or both.</summary>
internal sealed class ParsedImage(string entry)
{
    public string Entry { get; } = entry;
    public int? Line { get; init; }
    public long? Id { get; init; }
    public string? FileName { get; init; }
    public int? Width { get; set; }
    public int? Height { get; set; }
    public List<ParsedBox> Boxes { get; } = [];
    public List<string> Labels { get; } = [];
}

internal sealed class ParsedDocument(AnnotationFormat format)
{
    public AnnotationFormat Format { get; } = format;
    public List<ParsedImage> Images { get; } = [];

    /// <summary>Classes the file declares, with their ids where it gives them (COCO, YOLO class indexes).</summary>
    public List<(long? Id, string Name)> DeclaredCategories { get; } = [];

    /// <summary>What the file does that is valid but probably not meant, for the uploader to hear about.</summary>
    public List<Challenge.Annotations.Model.AnnotationError> Warnings { get; } = [];
}

/// <summary>
/// A file handed to a reader: the upload itself, or one entry of an uploaded zip. Its JSON is parsed once and
/// shared by format detection and the reader, which matters for exports of a million boxes.
/// </summary>
internal sealed class InputEntry(string name, byte[] content) : IDisposable
{
    private System.Text.Json.JsonDocument? _json;

    public string Name { get; } = name;
    public byte[] Content { get; } = content;

    /// <summary>Fires when the read's time limit passes; readers check it once per image or object.</summary>
    public CancellationToken Cancellation { get; init; }
    public System.Text.Json.JsonDocument Json => _json ??= JsonFields.Parse(this);

    public void Dispose() => _json?.Dispose();
}
