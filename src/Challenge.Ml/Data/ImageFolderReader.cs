using System.Globalization;
using System.IO.Compression;

namespace Challenge.Ml.Data;

/// <summary>
/// Reads a folder or a zip of images (PNG, JPEG and the other formats <see cref="ImageDecoder"/>
/// reads). With a labels.csv (header row; a file column such as "file" or "image" and an optional
/// "label" or "category" column) the images are taken in the CSV's order with their labels;
/// without one, every image file is taken in file-name order, unlabelled. Every image is resized
/// to the given shape, or else to the first image's size. Colour images make the whole set RGB
/// (grey ones are repeated on three channels); alpha is dropped.
/// </summary>
public static class ImageFolderReader
{
    public const string LabelsFileName = "labels.csv";

    /// <summary>File name endings taken as images.</summary>
    public static readonly IReadOnlyList<string> ImageExtensions = [".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp"];

    private static readonly string[] FileColumns = ["file", "filename", "file_name", "image", "path", "name", "id"];
    private static readonly string[] LabelColumns = ["label", "category", "class", "target"];

    /// <param name="shape">Height, width and channels every image is brought to (a test set takes its training set's); null: the first image's size.</param>
    public static ImageDataset ReadFolder(string folder, ImageShape? shape = null)
    {
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .ToDictionary(file => Path.GetRelativePath(folder, file).Replace('\\', '/'), file => file, StringComparer.Ordinal);
        return Read(new ImageSource(folder, files.Keys, relative => File.OpenRead(files[relative])), shape);
    }

    /// <inheritdoc cref="ReadFolder"/>
    public static ImageDataset ReadZip(string zipPath, ImageShape? shape = null)
    {
        using var archive = ZipFile.OpenRead(zipPath);
        var entries = archive.Entries.Where(e => !e.FullName.EndsWith('/')).ToDictionary(e => e.FullName, StringComparer.Ordinal);

        // A zip made from a folder usually holds that folder: read relative to where labels.csv is.
        var labels = entries.Keys.Where(k => Path.GetFileName(k) == LabelsFileName).OrderBy(k => k.Length).FirstOrDefault();
        var prefix = labels is null ? string.Empty : labels[..^LabelsFileName.Length];
        var relative = entries.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(k => k[prefix.Length..], k => entries[k], StringComparer.Ordinal);
        return Read(new ImageSource(zipPath, relative.Keys, name => relative[name].Length > ImageDecoder.MaxFileBytes
            ? throw new InvalidDataException($"{name} in {zipPath} is {relative[name].Length:N0} bytes; image files of at most {ImageDecoder.MaxFileBytes:N0} bytes are read.")
            : relative[name].Open()), shape);
    }

    private static ImageDataset Read(ImageSource source, ImageShape? shape)
    {
        var (files, labelTexts) = source.Contains(LabelsFileName) ? ReadLabelsCsv(source) : (AllImageFiles(source), null);
        if (files.Count == 0)
        {
            throw new InvalidDataException($"{source.Name} holds no images ({string.Join(", ", ImageExtensions)}).");
        }

        var images = new DecodedImage[files.Count];
        (int Height, int Width)? size = shape is null ? null : (shape.Height, shape.Width);
        for (var i = 0; i < files.Count; i++)
        {
            var file = files[i];
            using var stream = source.Open(file);
            images[i] = ImageDecoder.Decode(stream, $"{file} in {source.Name}", size, shape?.Channels);
            size ??= (images[i].Height, images[i].Width);
        }

        var channels = shape?.Channels ?? (images.Any(image => image.Channels >= 3) ? 3 : 1);
        var (height, width) = size!.Value;
        var pixels = new float[images.Length * height * width * channels];
        for (var i = 0; i < images.Length; i++)
        {
            CopyPixels(images[i], pixels.AsSpan(i * height * width * channels, height * width * channels), channels);
        }

        if (labelTexts is null)
        {
            return new ImageDataset(pixels, images.Length, height, width, channels);
        }

        var (labels, classNames) = ParseLabels(labelTexts, source.Name);
        return new ImageDataset(pixels, images.Length, height, width, channels, labels, classNames);
    }

    /// <summary>Labels that are all integers are class indices; otherwise they are class names, numbered in sorted order.</summary>
    internal static (int[] Labels, IReadOnlyList<string>? ClassNames) ParseLabels(IReadOnlyList<string> texts, string source)
    {
        var numbers = new int[texts.Count];
        if (texts.Select((text, i) => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i])).All(ok => ok))
        {
            return (numbers, null);
        }

        if (texts.Any(string.IsNullOrWhiteSpace))
        {
            throw new InvalidDataException($"{source}: every image listed in {LabelsFileName} needs a label.");
        }

        var names = texts.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var index = names.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
        return ([.. texts.Select(text => index[text])], names);
    }

    private static (IReadOnlyList<string> Files, IReadOnlyList<string>? Labels) ReadLabelsCsv(ImageSource source)
    {
        using var reader = new StreamReader(source.Open(LabelsFileName));
        var header = SplitCsvLine(reader.ReadLine() ?? throw new InvalidDataException($"{LabelsFileName} in {source.Name} is empty."));
        var normalised = header.Select(h => h.Trim().ToLowerInvariant()).ToArray();
        var fileColumn = Array.FindIndex(normalised, h => FileColumns.Contains(h));
        var labelColumn = Array.FindIndex(normalised, h => LabelColumns.Contains(h));
        if (fileColumn < 0)
        {
            throw new InvalidDataException(
                $"{LabelsFileName} in {source.Name} needs a header with a file column ({string.Join(", ", FileColumns)}); found: {string.Join(", ", header)}.");
        }

        var files = new List<string>();
        var labels = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var fields = SplitCsvLine(line);
            var file = fields.ElementAtOrDefault(fileColumn)?.Trim() ?? string.Empty;
            files.Add(Resolve(source, file, files.Count + 2));
            if (labelColumn >= 0)
            {
                labels.Add(fields.ElementAtOrDefault(labelColumn)?.Trim() ?? string.Empty);
            }
        }

        return (files, labelColumn >= 0 ? labels : null);
    }

    private static string Resolve(ImageSource source, string file, int line)
    {
        var normalised = file.Replace('\\', '/').TrimStart('.', '/');
        if (source.Contains(normalised))
        {
            return normalised;
        }

        foreach (var extension in ImageExtensions)
        {
            if (source.Contains(normalised + extension))
            {
                return normalised + extension;
            }
        }

        throw new FileNotFoundException($"{LabelsFileName} line {line} names '{file}', which is not in {source.Name}.");
    }

    private static List<string> AllImageFiles(ImageSource source) =>
        [.. source.Files.Where(f => ImageExtensions.Any(e => f.EndsWith(e, StringComparison.OrdinalIgnoreCase))).Order(StringComparer.Ordinal)];

    private static void CopyPixels(DecodedImage image, Span<float> target, int channels)
    {
        var source = image.Pixels;
        var pixelCount = image.Width * image.Height;
        for (var p = 0; p < pixelCount; p++)
        {
            var offset = p * image.Channels;
            if (channels == 1)
            {
                target[p] = source[offset] / 255f;
            }
            else if (image.Channels >= 3)
            {
                target[3 * p] = source[offset] / 255f;
                target[3 * p + 1] = source[offset + 1] / 255f;
                target[3 * p + 2] = source[offset + 2] / 255f;
            }
            else
            {
                var grey = source[offset] / 255f;
                target[3 * p] = grey;
                target[3 * p + 1] = grey;
                target[3 * p + 2] = grey;
            }
        }
    }

    internal static List<string> SplitCsvLine(string line)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return fields;
    }

    private sealed class ImageSource(string name, IEnumerable<string> files, Func<string, Stream> open)
    {
        private readonly HashSet<string> _files = new(files, StringComparer.Ordinal);

        public string Name { get; } = name;

        public IEnumerable<string> Files => _files;

        public bool Contains(string file) => _files.Contains(file);

        public Stream Open(string file) => open(file);
    }
}
