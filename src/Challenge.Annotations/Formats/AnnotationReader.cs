using System.Text.Json;
using System.Xml;
using Challenge.Annotations.Model;
using Challenge.Annotations.Safety;

namespace Challenge.Annotations.Formats;

/// <summary>What to read an upload as, and what to match it against.</summary>
public sealed record AnnotationReadOptions
{
    /// <summary>Forces a format instead of detecting one (the CLI's <c>--format</c>).</summary>
    public AnnotationFormat? Format { get; init; }

    /// <summary>
    /// The gold set that a submission is matched against: images by id or file name, classes by name, and the image
    /// sizes that normalized formats (YOLO, Kili, Label Studio) need. Null when reading the gold set itself.
    /// </summary>
    public AnnotationDataset? Reference { get; init; }

    /// <summary>
    /// With a <see cref="Reference"/> that lists only images (an asset set's index), takes the classes the file
    /// declares instead of refusing them: how a gold set is read against the uploaded images.
    /// </summary>
    public bool AddUnknownClasses { get; init; }

    public ZipLimits ZipLimits { get; init; } = ZipLimits.Default;

    /// <summary>
    /// How long reading may take before it stops with an error; null for no limit. Reading is linear in the input,
    /// so this only catches what the bounds on size and depth did not foresee, on a worker shared by every team.
    /// </summary>
    public TimeSpan? TimeLimit { get; init; }
}

/// <summary>The entry point for reading any supported export into an <see cref="AnnotationDataset"/>.</summary>
public static class AnnotationReader
{
    public static ParseResult<AnnotationDataset> Read(Stream content, string fileName, AnnotationReadOptions? options = null)
    {
        using var buffer = new MemoryStream();
        content.CopyTo(buffer);
        return Read(buffer.ToArray(), fileName, options);
    }

    /// <summary>Reads an upload; every problem, down to arbitrary bytes, comes back as errors naming the entry at fault.</summary>
    public static ParseResult<AnnotationDataset> Read(byte[] content, string fileName, AnnotationReadOptions? options = null)
    {
        options ??= new AnnotationReadOptions();
        using var budget = options.TimeLimit is { } limit ? new CancellationTokenSource(limit) : null;
        var cancellation = budget?.Token ?? CancellationToken.None;
        var document = ReadDocument(content, fileName, options, cancellation);
        return document.Succeeded
            ? Bind(document.Value!, fileName, options.Reference, options.AddUnknownClasses, cancellation, options.TimeLimit)
            : ParseResult<AnnotationDataset>.Failure(document.Errors);
    }

    /// <summary>
    /// The part of reading that needs no gold set (unpacking, detection, parsing), so that a submission can be parsed
    /// while the gold set is still being read.
    /// </summary>
    internal static ParseResult<ParsedDocument> ReadDocument(byte[] content, string fileName, AnnotationReadOptions options, CancellationToken cancellation = default)
    {
        IReadOnlyList<InputEntry>? entries;
        IReadOnlyList<AnnotationError> zipErrors;
        try
        {
            cancellation.ThrowIfCancellationRequested();
            entries = Unpack(content, fileName, options.ZipLimits, out zipErrors, cancellation);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return ParseResult<ParsedDocument>.Failure(TimedOut(fileName, options.TimeLimit));
        }

        if (entries is null)
        {
            return ParseResult<ParsedDocument>.Failure(zipErrors);
        }

        try
        {
            return Guard(fileName, () => ParseResult<ParsedDocument>.Success(Parse(options.Format ?? FormatDetector.Detect(entries, fileName), entries)),
                cancellation, options.TimeLimit);
        }
        finally
        {
            foreach (var entry in entries)
            {
                entry.Dispose();
            }
        }
    }

    /// <summary>Matches a parsed file to the gold set (or, without one, takes it as it is).</summary>
    internal static ParseResult<AnnotationDataset> Bind(ParsedDocument document, string fileName, AnnotationDataset? reference, bool addUnknownClasses = false,
        CancellationToken cancellation = default, TimeSpan? timeLimit = null) =>
        Guard(fileName, () =>
        {
            var (dataset, errors) = DatasetBinder.Bind(document, reference, addUnknownClasses, cancellation);
            return errors.Count > 0 ? ParseResult<AnnotationDataset>.Failure(errors) : ParseResult<AnnotationDataset>.Success(dataset, document.Warnings);
        }, cancellation, timeLimit);

    private static AnnotationError TimedOut(string fileName, TimeSpan? limit) =>
        new(fileName, null, $"reading stopped after {limit?.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)} s, the most one file may take; real exports of this size read far faster");

    private static ParseResult<T> Guard<T>(string fileName, Func<ParseResult<T>> read, CancellationToken cancellation = default, TimeSpan? timeLimit = null)
        where T : class
    {
        try
        {
            return read();
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return ParseResult<T>.Failure(TimedOut(fileName, timeLimit));
        }
        catch (AnnotationFormatException ex)
        {
            return ParseResult<T>.Failure(ex.Error);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or OverflowException
                                       or XmlException or InvalidDataException or ArgumentException or KeyNotFoundException or IndexOutOfRangeException)
        {
            // Readers check what they rely on; this is the backstop that keeps odd inputs from escaping as crashes.
            return ParseResult<T>.Failure(new AnnotationError(fileName, null, $"unexpected structure: {ex.Message}"));
        }
    }

    /// <summary>The format an upload would be read as, or null when it is not recognised (or not readable at all).</summary>
    public static AnnotationFormat? DetectFormat(byte[] content, string fileName, ZipLimits? limits = null)
    {
        var entries = Unpack(content, fileName, limits ?? ZipLimits.Default, out _);
        if (entries is null)
        {
            return null;
        }

        try
        {
            return FormatDetector.Detect(entries, fileName);
        }
        catch (AnnotationFormatException)
        {
            return null;
        }
        finally
        {
            foreach (var entry in entries)
            {
                entry.Dispose();
            }
        }
    }

    private static IReadOnlyList<InputEntry>? Unpack(byte[] content, string fileName, ZipLimits limits, out IReadOnlyList<AnnotationError> errors,
        CancellationToken cancellation = default)
    {
        errors = [];
        if (!SafeZip.LooksLikeZip(content))
        {
            return [new InputEntry(fileName, content) { Cancellation = cancellation }];
        }

        var unpacked = SafeZip.Read(content, fileName, limits, IsAnnotationEntry, cancellation);
        if (!unpacked.Succeeded)
        {
            errors = unpacked.Errors;
            return null;
        }

        return unpacked.Value!.Select(e => new InputEntry($"{fileName}/{e.Name}", e.Content) { Cancellation = cancellation }).ToList();
    }

    // Exports "with images" (Roboflow, CVAT, Kili) carry the pictures beside the labels; no reader looks at them,
    // so they are never decompressed.
    private static readonly HashSet<string> _mediaExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".heic", ".mp4", ".avi", ".mov", ".mkv", ".webm",
    };

    private static bool IsAnnotationEntry(string name) => !_mediaExtensions.Contains(Path.GetExtension(name));

    private static ParsedDocument Parse(AnnotationFormat format, IReadOnlyList<InputEntry> entries) => format switch
    {
        AnnotationFormat.Coco => CocoFormat.ReadInstances(SingleOfKind(entries, ".json")),
        AnnotationFormat.CocoResults => CocoFormat.ReadResults(SingleOfKind(entries, ".json")),
        AnnotationFormat.Kili => KiliFormat.Read(JsonEntries(entries)),
        AnnotationFormat.Yolo => YoloFormat.Read(entries),
        AnnotationFormat.PascalVoc => PascalVocFormat.Read(XmlEntries(entries)),
        AnnotationFormat.LabelStudio => LabelStudioFormat.Read(JsonEntries(entries)),
        AnnotationFormat.Cvat => CvatFormat.Read(XmlEntries(entries)),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    private static IReadOnlyList<InputEntry> JsonEntries(IReadOnlyList<InputEntry> entries) =>
        entries.Count == 1 ? entries : entries.Where(e => e.Name.EndsWith(".json", StringComparison.OrdinalIgnoreCase)).ToList();

    private static IReadOnlyList<InputEntry> XmlEntries(IReadOnlyList<InputEntry> entries) =>
        entries.Count == 1 ? entries : entries.Where(e => e.Name.EndsWith(".xml", StringComparison.OrdinalIgnoreCase)).ToList();

    private static InputEntry SingleOfKind(IReadOnlyList<InputEntry> entries, string extension)
    {
        if (entries.Count == 1)
        {
            return entries[0];
        }

        var matching = entries.Where(e => e.Name.EndsWith(extension, StringComparison.OrdinalIgnoreCase)).ToList();
        return matching.Count == 1
            ? matching[0]
            : throw new AnnotationFormatException(entries.Count > 0 ? entries[0].Name : "archive", null,
                $"expected exactly one {extension} file in the archive, found {matching.Count}");
    }
}

/// <summary>The entry point for writing the common model in any supported format.</summary>
public static class AnnotationWriter
{
    public static byte[] Write(AnnotationDataset dataset, AnnotationFormat format, YoloStyle yoloStyle = YoloStyle.V5Ultralytics) => format switch
    {
        AnnotationFormat.Coco => CocoFormat.WriteInstances(dataset),
        AnnotationFormat.CocoResults => CocoFormat.WriteResults(dataset),
        AnnotationFormat.Kili => KiliFormat.Write(dataset),
        AnnotationFormat.Yolo => YoloFormat.Write(dataset, yoloStyle),
        AnnotationFormat.PascalVoc => PascalVocFormat.Write(dataset),
        AnnotationFormat.LabelStudio => LabelStudioFormat.Write(dataset),
        AnnotationFormat.Cvat => CvatFormat.Write(dataset),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    /// <summary>The file name extension of what <see cref="Write"/> produces.</summary>
    public static string FileExtension(AnnotationFormat format) => format switch
    {
        AnnotationFormat.Yolo or AnnotationFormat.PascalVoc => ".zip",
        AnnotationFormat.Cvat => ".xml",
        _ => ".json",
    };
}

/// <summary>Recognises a format from the content, not the file name, which uploads often get wrong.</summary>
internal static class FormatDetector
{
    public static AnnotationFormat Detect(IReadOnlyList<InputEntry> entries, string uploadName)
    {
        if (entries.Any(e => YoloFormat.IsClassList(e.Name)) && entries.Any(e => YoloFormat.IsLabelFile(e.Name)))
        {
            return AnnotationFormat.Yolo;
        }

        var xml = entries.FirstOrDefault(e => e.Name.EndsWith(".xml", StringComparison.OrdinalIgnoreCase))
            ?? entries.FirstOrDefault(e => FirstNonBlank(e.Content) == '<');
        if (xml is not null)
        {
            var document = SafeXml.Load(xml.Content, xml.Name, xml.Cancellation);
            if (CvatFormat.IsCvatDocument(document))
            {
                return AnnotationFormat.Cvat;
            }

            if (PascalVocFormat.IsVocDocument(document))
            {
                return AnnotationFormat.PascalVoc;
            }

            throw new AnnotationFormatException(xml.Name, 1, $"XML with a <{document.Root?.Name.LocalName}> root is neither CVAT (<annotations>) nor Pascal VOC (<annotation>)");
        }

        var json = entries.FirstOrDefault(e => e.Name.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            ?? entries.FirstOrDefault(e => FirstNonBlank(e.Content) is '{' or '[');
        if (json is not null && JsonSniffer.Detect(json) is { } jsonFormat)
        {
            return jsonFormat;
        }

        throw new AnnotationFormatException(uploadName, null,
            "the format was not recognised (COCO, COCO results, Kili, YOLO, Pascal VOC, Label Studio, CVAT); name it with --format");
    }

    private static char FirstNonBlank(byte[] content)
    {
        foreach (var b in content.AsSpan(0, Math.Min(content.Length, 4096)))
        {
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0xEF or 0xBB or 0xBF)
            {
                continue;
            }

            return (char)b;
        }

        return '\0';
    }
}
