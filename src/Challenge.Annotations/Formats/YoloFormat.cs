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
            entry.Cancellation.ThrowIfCancellationRequested();
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
        if (fields.Length is 9 or 10)
        {
            throw new AnnotationFormatException(entry, lineNumber,
                "found 'class x1 y1 x2 y2 x3 y3 x4 y4', an oriented (rotated) box of YOLO OBB; rotated boxes are not supported, export upright 'class cx cy w h' boxes");
        }

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
            return ReadNameList(listFile);
        }

        var yaml = entries.FirstOrDefault(e => e.Name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || e.Name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase));
        return yaml is null ? [] : ReadYamlNames(yaml);
    }

    /// <summary>
    /// classes.txt or obj.names: one class per line, in index order. Kili's YOLO v4 export prefixes each line with
    /// its index (<c>0 OBJECT_A</c>); the prefix is taken only when every line carries it and the indexes run
    /// 0, 1, 2..., so a class really named "3 TYRES" on a list without indexes keeps its name.
    /// </summary>
    private static List<string> ReadNameList(InputEntry entry)
    {
        var lines = Encoding.UTF8.GetString(entry.Content).TrimStart('\uFEFF').Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        var stripped = new List<string>(lines.Count);
        foreach (var line in lines)
        {
            var space = line.IndexOfAny([' ', '\t']);
            if (space <= 0 || !int.TryParse(line[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index != stripped.Count)
            {
                return lines;
            }

            stripped.Add(line[(space + 1)..].Trim());
        }

        return stripped;
    }

    /// <summary>
    /// Reads <c>names</c> from a data.yaml as Ultralytics and Roboflow write it: a list (<c>names: [a, b]</c> or
    /// <c>- a</c> lines) or a map from index to name (<c>0: a</c> lines or <c>{0: a, 1: b}</c>). The YAML is walked
    /// event by event with a depth bound, so a hostile file can neither recurse deeply nor expand aliases.
    /// </summary>
    private static List<string> ReadYamlNames(InputEntry yaml)
    {
        const int maxDepth = 16;
        try
        {
            var parser = new YamlDotNet.Core.Parser(new StringReader(Encoding.UTF8.GetString(yaml.Content).TrimStart('\uFEFF')));
            var depth = 0;
            while (parser.MoveNext())
            {
                switch (parser.Current)
                {
                    case YamlDotNet.Core.Events.MappingStart or YamlDotNet.Core.Events.SequenceStart:
                        if (++depth > maxDepth)
                        {
                            throw new AnnotationFormatException(yaml.Name, Line(parser.Current), $"the YAML nests deeper than {maxDepth} levels");
                        }

                        break;
                    case YamlDotNet.Core.Events.MappingEnd or YamlDotNet.Core.Events.SequenceEnd:
                        depth--;
                        break;
                    case YamlDotNet.Core.Events.Scalar { Value: "names" } key when depth == 1:
                        parser.MoveNext();
                        return ReadYamlNameValue(parser, yaml.Name, Line(key));
                }
            }
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            throw new AnnotationFormatException(yaml.Name, (int)ex.Start.Line, $"invalid YAML: {ex.Message}");
        }

        throw new AnnotationFormatException(yaml.Name, null, "no 'names:' list of classes found");
    }

    private static List<string> ReadYamlNameValue(YamlDotNet.Core.IParser parser, string entry, int line)
    {
        switch (parser.Current)
        {
            case YamlDotNet.Core.Events.SequenceStart:
            {
                var names = new List<string>();
                while (parser.MoveNext() && parser.Current is not YamlDotNet.Core.Events.SequenceEnd)
                {
                    names.Add(YamlScalar(parser, entry));
                }

                return names;
            }

            case YamlDotNet.Core.Events.MappingStart:
            {
                var names = new SortedDictionary<int, string>();
                while (parser.MoveNext() && parser.Current is not YamlDotNet.Core.Events.MappingEnd)
                {
                    var keyLine = Line(parser.Current);
                    var key = YamlScalar(parser, entry);
                    parser.MoveNext();
                    var name = YamlScalar(parser, entry);
                    if (!int.TryParse(key, NumberStyles.Integer, CultureInfo.InvariantCulture, out var index) || index < 0 || index > 100_000)
                    {
                        throw new AnnotationFormatException(entry, keyLine, $"expected 'index: name' under names, found '{key}: {name}'");
                    }

                    if (!names.TryAdd(index, name))
                    {
                        throw new AnnotationFormatException(entry, keyLine, $"class index {index} is named twice under names");
                    }
                }

                if (names.Count > 0 && names.Keys.Last() != names.Count - 1)
                {
                    throw new AnnotationFormatException(entry, line, "class indexes under names must run from 0 without gaps");
                }

                return names.Values.ToList();
            }

            default:
                throw new AnnotationFormatException(entry, line, "'names' must be a list of class names or a map from class index to name");
        }
    }

    private static string YamlScalar(YamlDotNet.Core.IParser parser, string entry) =>
        parser.Current is YamlDotNet.Core.Events.Scalar scalar
            ? scalar.Value.Trim()
            : throw new AnnotationFormatException(entry, Line(parser.Current), "each class under names must be a plain name, not a list or a map");

    private static int Line(YamlDotNet.Core.Events.ParsingEvent? parsingEvent) => (int)(parsingEvent?.Start.Line ?? 0);

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
