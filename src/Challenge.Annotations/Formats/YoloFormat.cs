using System.Globalization;
using System.IO.Compression;
using System.Text;
using Challenge.Annotations.Model;

namespace Challenge.Annotations.Formats;

/// <summary>Which YOLO layout to write: darknet v4 (classes.txt, obj_train_data/) or Ultralytics v5/v8 (data.yaml, labels/).</summary>
public enum YoloStyle
{
    V4Darknet,
    V5Ultralytics,
}

/// <summary>
/// YOLO label files: one line per box, <c>class cx cy w h [score]</c>, all but the class as fractions of the image
/// size, so reading needs the gold images' sizes. A label file is matched to its image by file stem.
/// </summary>
internal static class YoloFormat
{
    private static readonly HashSet<string> _listFiles = new(StringComparer.OrdinalIgnoreCase)
    {
        "train.txt", "valid.txt", "val.txt", "test.txt", "classes.txt", "readme.txt",
    };

    public static bool IsClassList(string name) =>
        Path.GetFileName(name).Equals("classes.txt", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith(".names", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);

    public static bool IsLabelFile(string name) =>
        name.EndsWith(".txt", StringComparison.OrdinalIgnoreCase) && !_listFiles.Contains(Path.GetFileName(name));

    public static ParsedDocument Read(IReadOnlyList<InputEntry> entries)
    {
        var document = new ParsedDocument(AnnotationFormat.Yolo);
        var names = ReadClassNames(entries);
        if (names.Count == 0)
        {
            throw new AnnotationFormatException(entries.Count > 0 ? entries[0].Name : "archive", null,
                "a YOLO export needs classes.txt, obj.names or data.yaml to name its classes");
        }

        for (var i = 0; i < names.Count; i++)
        {
            document.DeclaredCategories.Add((i, names[i]));
        }

        foreach (var entry in entries.Where(e => IsLabelFile(e.Name)))
        {
            var image = new ParsedImage(entry.Name) { FileName = Path.GetFileNameWithoutExtension(entry.Name) };
            var lineNumber = 0;
            foreach (var rawLine in Encoding.UTF8.GetString(entry.Content).Split('\n'))
            {
                lineNumber++;
                var line = rawLine.Trim();
                if (line.Length == 0)
                {
                    continue;
                }

                image.Boxes.Add(ParseLine(line, entry.Name, lineNumber, names));
            }

            document.Images.Add(image);
        }

        return document;
    }

    private static ParsedBox ParseLine(string line, string entry, int lineNumber, List<string> names)
    {
        var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length is not (5 or 6))
        {
            throw new AnnotationFormatException(entry, lineNumber, $"expected 'class cx cy w h' (and an optional score), found {fields.Length} fields");
        }

        if (!int.TryParse(fields[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var classIndex) || classIndex < 0)
        {
            throw new AnnotationFormatException(entry, lineNumber, $"the class '{fields[0]}' is not a class index");
        }

        if (classIndex >= names.Count)
        {
            throw new AnnotationFormatException(entry, lineNumber, $"class index {classIndex} is past the {names.Count} class names given");
        }

        var values = new double[fields.Length - 1];
        for (var i = 1; i < fields.Length; i++)
        {
            if (!double.TryParse(fields[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i - 1]) || !double.IsFinite(values[i - 1]))
            {
                throw new AnnotationFormatException(entry, lineNumber, $"'{fields[i]}' is not a number");
            }
        }

        var (cx, cy, w, h) = (values[0], values[1], values[2], values[3]);
        if (w < 0 || h < 0 || cx < -0.01 || cy < -0.01 || cx > 1.01 || cy > 1.01 || w > 1.01 || h > 1.01)
        {
            throw new AnnotationFormatException(entry, lineNumber, "YOLO coordinates are fractions of the image size (0 to 1); these are not");
        }

        return new ParsedBox(names[classIndex], null, cx - w / 2, cy - h / 2, w, h, BoxUnits.Fraction,
            Score: values.Length == 5 ? values[4] : null, Line: lineNumber);
    }

    private static List<string> ReadClassNames(IReadOnlyList<InputEntry> entries)
    {
        var listFile = entries.FirstOrDefault(e => Path.GetFileName(e.Name).Equals("classes.txt", StringComparison.OrdinalIgnoreCase))
            ?? entries.FirstOrDefault(e => e.Name.EndsWith(".names", StringComparison.OrdinalIgnoreCase));
        if (listFile is not null)
        {
            return Encoding.UTF8.GetString(listFile.Content).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        }

        var yaml = entries.FirstOrDefault(e => e.Name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || e.Name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase));
        return yaml is null ? [] : ReadYamlNames(yaml);
    }

    /// <summary>
    /// Reads <c>names</c> from a data.yaml in the three shapes Ultralytics writes: a flow list
    /// (<c>names: [a, b]</c>), a block list (<c>- a</c>) or a map (<c>0: a</c>). Nothing else of YAML is needed.
    /// </summary>
    private static List<string> ReadYamlNames(InputEntry yaml)
    {
        var lines = Encoding.UTF8.GetString(yaml.Content).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = StripComment(lines[i]);
            if (!line.StartsWith("names:", StringComparison.Ordinal))
            {
                continue;
            }

            var rest = line["names:".Length..].Trim();
            if (rest.StartsWith('['))
            {
                if (!rest.EndsWith(']'))
                {
                    throw new AnnotationFormatException(yaml.Name, i + 1, "the names list must open and close on one line");
                }

                return rest[1..^1].Split(',').Select(Unquote).Where(n => n.Length > 0).ToList();
            }

            var names = new SortedDictionary<int, string>();
            var next = 0;
            for (var j = i + 1; j < lines.Length; j++)
            {
                var item = StripComment(lines[j]);
                if (item.Length == 0)
                {
                    continue;
                }

                if (!char.IsWhiteSpace(lines[j][0]))
                {
                    break;
                }

                item = item.Trim();
                if (item.StartsWith('-'))
                {
                    names[next++] = Unquote(item[1..]);
                    continue;
                }

                var colon = item.IndexOf(':');
                if (colon <= 0 || !int.TryParse(item[..colon], NumberStyles.Integer, CultureInfo.InvariantCulture, out var index) || index < 0 || index > 100_000)
                {
                    throw new AnnotationFormatException(yaml.Name, j + 1, $"expected '- name' or 'index: name' under names, found '{item}'");
                }

                names[index] = Unquote(item[(colon + 1)..]);
            }

            if (names.Count > 0 && names.Keys.Last() != names.Count - 1)
            {
                throw new AnnotationFormatException(yaml.Name, i + 1, "class indexes under names must run from 0 without gaps");
            }

            return names.Values.ToList();
        }

        throw new AnnotationFormatException(yaml.Name, null, "no 'names:' list of classes found");
    }

    private static string StripComment(string line)
    {
        var hash = line.IndexOf(" #", StringComparison.Ordinal);
        var text = hash >= 0 ? line[..hash] : line;
        return text.TrimStart().StartsWith('#') ? "" : text.TrimEnd('\r', ' ', '\t');
    }

    private static string Unquote(string text) => text.Trim().Trim('\'', '"').Trim();

    public static byte[] Write(AnnotationDataset dataset, YoloStyle style)
    {
        var classIndex = dataset.Categories.Select((c, i) => (c.Id, i)).ToDictionary(p => p.Id, p => p.i);
        var boxesByImage = dataset.Boxes.ToLookup(b => b.ImageId);
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            if (style == YoloStyle.V5Ultralytics)
            {
                var yaml = new StringBuilder("path: .\ntrain: images\nval: images\nnames:\n");
                foreach (var (category, index) in dataset.Categories.Select((c, i) => (c, i)))
                {
                    yaml.Append(CultureInfo.InvariantCulture, $"  {index}: {category.Name}\n");
                }

                AddText(zip, "data.yaml", yaml.ToString());
            }
            else
            {
                AddText(zip, "classes.txt", string.Concat(dataset.Categories.Select(c => c.Name + "\n")));
            }

            var folder = style == YoloStyle.V5Ultralytics ? "labels" : "obj_train_data";
            foreach (var image in dataset.Images)
            {
                var text = new StringBuilder();
                foreach (var box in boxesByImage[image.Id])
                {
                    var cx = (box.X + box.Width / 2) / image.Width;
                    var cy = (box.Y + box.Height / 2) / image.Height;
                    text.Append(CultureInfo.InvariantCulture, $"{classIndex[box.CategoryId]} {cx:R} {cy:R} {box.Width / image.Width:R} {box.Height / image.Height:R}");
                    if (box.Score is { } score)
                    {
                        text.Append(CultureInfo.InvariantCulture, $" {score:R}");
                    }

                    text.Append('\n');
                }

                AddText(zip, $"{folder}/{Path.GetFileNameWithoutExtension(image.FileName)}.txt", text.ToString());
            }
        }

        return buffer.ToArray();
    }

    internal static void AddText(ZipArchive zip, string name, string text)
    {
        using var stream = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
        stream.Write(Encoding.UTF8.GetBytes(text));
    }
}
