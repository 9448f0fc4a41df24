using System.Text.Json;
using System.Text.RegularExpressions;
using Challenge.Annotations.Model;

namespace Challenge.Annotations.Formats;

/// <summary>
/// Label Studio JSON export: a list of tasks whose <c>data</c> names the image and whose latest
/// <c>annotations</c> (or, for model output, <c>predictions</c>) hold <c>rectanglelabels</c> in percent of the
/// image and <c>choices</c> for image classes.
/// </summary>
internal static partial class LabelStudioFormat
{
    /// <summary>Label Studio prefixes uploaded files with 8 hex digits and a dash; the gold set knows the original name.</summary>
    public static string StripUploadPrefix(string fileName)
    {
        var match = UploadPrefix().Match(fileName);
        return match.Success ? fileName[match.Length..] : fileName;
    }

    [GeneratedRegex("^[0-9a-f]{8}-")]
    private static partial Regex UploadPrefix();

    public static ParsedDocument Read(IReadOnlyList<InputEntry> entries)
    {
        var document = new ParsedDocument(AnnotationFormat.LabelStudio);
        foreach (var entry in entries)
        {
            var json = entry.Json;
            var tasks = json.RootElement;
            if (tasks.ValueKind == JsonValueKind.Object)
            {
                ReadTask(tasks, entry.Name, "$", document);
                continue;
            }

            if (tasks.ValueKind != JsonValueKind.Array)
            {
                throw new AnnotationFormatException(entry.Name, 1, "a Label Studio export is a JSON array of tasks");
            }

            var index = 0;
            foreach (var task in tasks.EnumerateArray())
            {
                entry.Cancellation.ThrowIfCancellationRequested();
                ReadTask(task, entry.Name, $"[{index++}]", document);
            }
        }

        return document;
    }

    private static void ReadTask(JsonElement task, string entry, string path, ParsedDocument document)
    {
        if (!JsonFields.TryProperty(task, "data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            throw new AnnotationFormatException(entry, null, $"{path}: the task has no 'data' object");
        }

        var source = data.EnumerateObject().Select(p => p.Value).FirstOrDefault(v => v.ValueKind == JsonValueKind.String);
        var reference = JsonFields.OptionalString(data, "image") ?? (source.ValueKind == JsonValueKind.String ? source.GetString() : null)
            ?? throw new AnnotationFormatException(entry, null, $"{path}.data: no image reference");
        var fileName = Uri.UnescapeDataString(reference.Split('?')[0][(reference.Split('?')[0].LastIndexOf('/') + 1)..]);
        var image = new ParsedImage(entry) { FileName = fileName };
        var result = LatestResult(task, "annotations", entry, path) ?? LatestResult(task, "predictions", entry, path);
        if (result is { } items)
        {
            var index = 0;
            foreach (var item in items.EnumerateArray())
            {
                ReadResultItem(item, image, entry, $"{path}.result[{index++}]");
            }
        }

        document.Images.Add(image);
    }

    private static JsonElement? LatestResult(JsonElement task, string field, string entry, string path)
    {
        if (!JsonFields.TryProperty(task, field, out var list) || list.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        JsonElement? latest = null;
        foreach (var annotation in list.EnumerateArray())
        {
            if (JsonFields.OptionalBool(annotation, "was_cancelled"))
            {
                continue;
            }

            latest = JsonFields.Array(annotation, "result", entry, $"{path}.{field}");
        }

        return latest;
    }

    private static void ReadResultItem(JsonElement item, ParsedImage image, string entry, string path)
    {
        if (!JsonFields.TryProperty(item, "value", out var value))
        {
            return;
        }

        var width = JsonFields.OptionalInteger(item, "original_width", entry, path);
        var height = JsonFields.OptionalInteger(item, "original_height", entry, path);
        if (width is not null && height is not null)
        {
            image.Width = width;
            image.Height = height;
        }

        if (JsonFields.TryProperty(value, "rectanglelabels", out var rectangleLabels) && rectangleLabels.ValueKind == JsonValueKind.Array)
        {
            var label = rectangleLabels.GetArrayLength() > 0 ? rectangleLabels[0].GetString() : null;
            if (label is null)
            {
                throw new AnnotationFormatException(entry, null, $"{path}: rectanglelabels is empty");
            }

            if (JsonFields.OptionalNumber(value, "rotation", entry, path) is { } rotation && Math.Abs(rotation % 360) > 1e-9)
            {
                throw new AnnotationFormatException(entry, null,
                    $"{path}.value.rotation: rotated rectangles are not supported (rotation {rotation.ToString(System.Globalization.CultureInfo.InvariantCulture)}); export upright rectangles");
            }

            // Set when the annotator turned the image in the editor; the region is then drawn on the turned view.
            if (JsonFields.OptionalNumber(item, "image_rotation", entry, path) is { } imageRotation && Math.Abs(imageRotation % 360) > 1e-9)
            {
                throw new AnnotationFormatException(entry, null,
                    $"{path}.image_rotation: the region was drawn on a rotated image ({imageRotation.ToString(System.Globalization.CultureInfo.InvariantCulture)} degrees), which is not supported; reset the image rotation in Label Studio");
            }

            image.Boxes.Add(new ParsedBox(label, null,
                JsonFields.Number(value, "x", entry, path), JsonFields.Number(value, "y", entry, path),
                JsonFields.Number(value, "width", entry, path), JsonFields.Number(value, "height", entry, path),
                BoxUnits.Percent, Score: JsonFields.OptionalNumber(item, "score", entry, path)));
        }
        else if (JsonFields.TryProperty(value, "choices", out var choices) && choices.ValueKind == JsonValueKind.Array)
        {
            foreach (var choice in choices.EnumerateArray())
            {
                if (choice.ValueKind == JsonValueKind.String)
                {
                    image.Labels.Add(choice.GetString()!);
                }
            }
        }
    }

    public static byte[] Write(AnnotationDataset dataset)
    {
        var names = dataset.Categories.ToDictionary(c => c.Id, c => c.Name);
        var boxesByImage = dataset.Boxes.ToLookup(b => b.ImageId);
        var labelsByImage = dataset.ImageLabels.ToLookup(l => l.ImageId);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartArray();
            foreach (var image in dataset.Images)
            {
                var boxes = boxesByImage[image.Id].ToList();
                var isPrediction = boxes.Count > 0 && boxes.All(b => b.Score is not null);
                writer.WriteStartObject();
                writer.WriteNumber("id", image.Id);
                writer.WriteStartObject("data");
                writer.WriteString("image", $"/data/upload/1/{image.FileName}");
                writer.WriteEndObject();
                writer.WriteStartArray(isPrediction ? "predictions" : "annotations");
                writer.WriteStartObject();
                writer.WriteNumber("id", image.Id);
                writer.WriteBoolean("was_cancelled", false);
                writer.WriteStartArray("result");
                foreach (var box in boxes)
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("original_width", image.Width);
                    writer.WriteNumber("original_height", image.Height);
                    writer.WriteNumber("image_rotation", 0);
                    writer.WriteStartObject("value");
                    writer.WriteNumber("x", box.X * 100 / image.Width);
                    writer.WriteNumber("y", box.Y * 100 / image.Height);
                    writer.WriteNumber("width", box.Width * 100 / image.Width);
                    writer.WriteNumber("height", box.Height * 100 / image.Height);
                    writer.WriteNumber("rotation", 0);
                    writer.WriteStartArray("rectanglelabels");
                    writer.WriteStringValue(names[box.CategoryId]);
                    writer.WriteEndArray();
                    writer.WriteEndObject();
                    writer.WriteString("id", $"box{box.Id}");
                    writer.WriteString("from_name", "label");
                    writer.WriteString("to_name", "image");
                    writer.WriteString("type", "rectanglelabels");
                    if (box.Score is { } score)
                    {
                        writer.WriteNumber("score", score);
                    }

                    writer.WriteEndObject();
                }

                var labels = labelsByImage[image.Id].Select(l => l.ClassName).ToList();
                if (labels.Count > 0)
                {
                    writer.WriteStartObject();
                    writer.WriteStartObject("value");
                    writer.WriteStartArray("choices");
                    labels.ForEach(writer.WriteStringValue);
                    writer.WriteEndArray();
                    writer.WriteEndObject();
                    writer.WriteString("id", $"choice{image.Id}");
                    writer.WriteString("from_name", "choice");
                    writer.WriteString("to_name", "image");
                    writer.WriteString("type", "choices");
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return buffer.ToArray();
    }
}
