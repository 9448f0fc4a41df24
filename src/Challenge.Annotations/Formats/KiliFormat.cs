using System.Text.Json;
using Challenge.Annotations.Model;

namespace Challenge.Annotations.Formats;

/// <summary>
/// Kili's native JSON export. Each asset carries its label's <c>jsonResponse</c> (under <c>latestLabel</c>, the last of
/// <c>labels</c>, or directly), a map from job name to either object annotations
/// (<c>{"annotations": [{"boundingPoly": [{"normalizedVertices": [...]}], "categories": [{"name": ...}]}]}</c>)
/// or image classes (<c>{"categories": [{"name": ...}]}</c>).
/// </summary>
internal static class KiliFormat
{
    public const string DetectionJob = "OBJECT_DETECTION_JOB";
    public const string ClassificationJob = "CLASSIFICATION_JOB";
    public const string RotationJob = "ROTATION_JOB";

    public static ParsedDocument Read(IReadOnlyList<InputEntry> entries)
    {
        var document = new ParsedDocument(AnnotationFormat.Kili);
        foreach (var entry in entries)
        {
            var json = entry.Json;
            var root = json.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
            {
                var index = 0;
                foreach (var asset in root.EnumerateArray())
                {
                    entry.Cancellation.ThrowIfCancellationRequested();
                    document.Images.Add(ReadAsset(asset, entry, $"[{index++}]"));
                }
            }
            else if (root.ValueKind == JsonValueKind.Object)
            {
                document.Images.Add(ReadAsset(root, entry, "$"));
            }
            else
            {
                throw new AnnotationFormatException(entry.Name, 1, "a Kili export is a JSON array of assets or one asset object");
            }
        }

        return document;
    }

    public static bool LooksLikeKili(JsonElement root)
    {
        var asset = root.ValueKind == JsonValueKind.Array
            ? root.EnumerateArray().FirstOrDefault()
            : root;
        return asset.ValueKind == JsonValueKind.Object
            && (asset.TryGetProperty("jsonResponse", out _) || asset.TryGetProperty("latestLabel", out _)
                || (asset.TryGetProperty("labels", out var labels) && labels.ValueKind == JsonValueKind.Array
                    && labels.EnumerateArray().Any(l => l.ValueKind == JsonValueKind.Object && l.TryGetProperty("jsonResponse", out _))));
    }

    private static ParsedImage ReadAsset(JsonElement asset, InputEntry entry, string path)
    {
        var name = JsonFields.OptionalString(asset, "externalId") ?? FileNameFromContent(JsonFields.OptionalString(asset, "content"))
            ?? throw new AnnotationFormatException(entry.Name, null, $"{path}: the asset has neither 'externalId' nor 'content' to name its image");
        var image = new ParsedImage(entry.Name) { FileName = name };
        if (JsonFields.TryProperty(asset, "resolution", out var resolution))
        {
            image.Width = JsonFields.OptionalInteger(resolution, "width", entry.Name, $"{path}.resolution");
            image.Height = JsonFields.OptionalInteger(resolution, "height", entry.Name, $"{path}.resolution");
        }

        var response = FindJsonResponse(asset);
        if (response is not { ValueKind: JsonValueKind.Object } jobs)
        {
            return image;
        }

        var rotation = ReadRotation(jobs, entry.Name, $"{path}.jsonResponse");
        foreach (var job in jobs.EnumerateObject())
        {
            var jobPath = $"{path}.jsonResponse.{job.Name}";
            if (JsonFields.TryProperty(job.Value, "annotations", out var annotations) && annotations.ValueKind == JsonValueKind.Array)
            {
                var index = 0;
                foreach (var annotation in annotations.EnumerateArray())
                {
                    ReadObject(annotation, image, entry.Name, $"{jobPath}.annotations[{index++}]", rotation);
                }
            }
            else if (JsonFields.TryProperty(job.Value, "categories", out var categories) && categories.ValueKind == JsonValueKind.Array)
            {
                foreach (var category in categories.EnumerateArray())
                {
                    if (JsonFields.OptionalString(category, "name") is { } className)
                    {
                        image.Labels.Add(className);
                    }
                }
            }
        }

        return image;
    }

    private static JsonElement? FindJsonResponse(JsonElement asset)
    {
        if (JsonFields.TryProperty(asset, "latestLabel", out var latest) && JsonFields.TryProperty(latest, "jsonResponse", out var fromLatest))
        {
            return fromLatest;
        }

        if (JsonFields.TryProperty(asset, "labels", out var labels) && labels.ValueKind == JsonValueKind.Array && labels.GetArrayLength() > 0
            && JsonFields.TryProperty(labels[labels.GetArrayLength() - 1], "jsonResponse", out var fromLabels))
        {
            return fromLabels;
        }

        return JsonFields.TryProperty(asset, "jsonResponse", out var direct) ? direct : null;
    }

    /// <summary>
    /// The quarter turn the annotator gave the asset (<c>ROTATION_JOB.rotation</c>): Kili stores vertices in the
    /// rotated view, so they must be turned back before they describe the image as stored.
    /// </summary>
    private static int ReadRotation(JsonElement jobs, string entry, string path)
    {
        if (!JsonFields.TryProperty(jobs, RotationJob, out var job))
        {
            return 0;
        }

        var angle = JsonFields.OptionalNumber(job, "rotation", entry, $"{path}.{RotationJob}") ?? 0;
        return angle switch
        {
            0 or 360 => 0,
            90 or 180 or 270 => (int)angle,
            _ => throw new AnnotationFormatException(entry, null,
                $"{path}.{RotationJob}.rotation: a rotation of {angle.ToString(System.Globalization.CultureInfo.InvariantCulture)} degrees is not supported; Kili rotates by 90, 180 or 270"),
        };
    }

    /// <summary>
    /// A vertex of the rotated view turned back to the stored image, as Kili's own exporters do
    /// (kili-python-sdk, <c>reverse_rotation_vertices</c>): 90 → (y, 1 − x), 180 → (1 − x, 1 − y), 270 → (1 − y, x).
    /// </summary>
    internal static (double X, double Y) Unrotate(double x, double y, int rotation) => rotation switch
    {
        90 => (y, 1 - x),
        180 => (1 - x, 1 - y),
        270 => (1 - y, x),
        _ => (x, y),
    };

    private static void ReadObject(JsonElement annotation, ParsedImage image, string entry, string path, int rotation)
    {
        if (!JsonFields.TryProperty(annotation, "boundingPoly", out var polys) || polys.ValueKind != JsonValueKind.Array || polys.GetArrayLength() == 0)
        {
            return;
        }

        var vertices = JsonFields.Array(polys[0], "normalizedVertices", entry, $"{path}.boundingPoly[0]");
        double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue;
        var count = 0;
        foreach (var vertex in vertices.EnumerateArray())
        {
            var vertexPath = $"{path}.boundingPoly[0].normalizedVertices[{count++}]";
            var (x, y) = Unrotate(JsonFields.Number(vertex, "x", entry, vertexPath), JsonFields.Number(vertex, "y", entry, vertexPath), rotation);
            minX = Math.Min(minX, x);
            minY = Math.Min(minY, y);
            maxX = Math.Max(maxX, x);
            maxY = Math.Max(maxY, y);
        }

        if (count < 2)
        {
            throw new AnnotationFormatException(entry, null, $"{path}: a bounding box needs at least two vertices");
        }

        var categories = JsonFields.Array(annotation, "categories", entry, path);
        var className = categories.GetArrayLength() > 0 ? JsonFields.OptionalString(categories[0], "name") : null;
        if (className is null)
        {
            throw new AnnotationFormatException(entry, null, $"{path}: the object has no category name");
        }

        image.Boxes.Add(new ParsedBox(className, null, minX, minY, maxX - minX, maxY - minY, BoxUnits.Fraction,
            Score: JsonFields.OptionalNumber(annotation, "score", entry, path)));
    }

    private static string? FileNameFromContent(string? content)
    {
        if (string.IsNullOrEmpty(content))
        {
            return null;
        }

        var withoutQuery = content.Split('?')[0];
        return withoutQuery[(withoutQuery.LastIndexOf('/') + 1)..];
    }

    public static byte[] Write(AnnotationDataset dataset)
    {
        var categories = dataset.Categories.ToDictionary(c => c.Id, c => c.Name);
        var boxesByImage = dataset.Boxes.ToLookup(b => b.ImageId);
        var labelsByImage = dataset.ImageLabels.ToLookup(l => l.ImageId);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartArray();
            foreach (var image in dataset.Images)
            {
                writer.WriteStartObject();
                writer.WriteString("externalId", image.FileName);
                writer.WriteString("content", image.FileName);
                writer.WriteStartObject("resolution");
                writer.WriteNumber("width", image.Width);
                writer.WriteNumber("height", image.Height);
                writer.WriteEndObject();
                writer.WriteStartObject("latestLabel");
                writer.WriteString("labelType", "DEFAULT");
                writer.WriteStartObject("jsonResponse");
                WriteObjects(writer, image, boxesByImage[image.Id], categories);
                var labels = labelsByImage[image.Id].ToList();
                if (labels.Count > 0)
                {
                    writer.WriteStartObject(ClassificationJob);
                    writer.WriteStartArray("categories");
                    foreach (var label in labels)
                    {
                        writer.WriteStartObject();
                        writer.WriteString("name", label.ClassName);
                        writer.WriteNumber("confidence", 100);
                        writer.WriteEndObject();
                    }

                    writer.WriteEndArray();
                    writer.WriteEndObject();
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return buffer.ToArray();
    }

    private static void WriteObjects(Utf8JsonWriter writer, ImageInfo image, IEnumerable<BoxAnnotation> boxes, Dictionary<long, string> categories)
    {
        var list = boxes.ToList();
        if (list.Count == 0)
        {
            return;
        }

        writer.WriteStartObject(DetectionJob);
        writer.WriteStartArray("annotations");
        foreach (var box in list)
        {
            writer.WriteStartObject();
            writer.WriteString("mid", $"box-{box.Id}");
            writer.WriteString("type", "rectangle");
            writer.WriteStartArray("boundingPoly");
            writer.WriteStartObject();
            writer.WriteStartArray("normalizedVertices");
            double left = box.X / image.Width, top = box.Y / image.Height;
            double right = (box.X + box.Width) / image.Width, bottom = (box.Y + box.Height) / image.Height;
            // Kili lists the corners from bottom-left, anticlockwise on screen; readers must not rely on it.
            foreach (var (x, y) in new[] { (left, bottom), (left, top), (right, top), (right, bottom) })
            {
                writer.WriteStartObject();
                writer.WriteNumber("x", x);
                writer.WriteNumber("y", y);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteStartArray("categories");
            writer.WriteStartObject();
            writer.WriteString("name", categories.GetValueOrDefault(box.CategoryId, box.CategoryId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            writer.WriteEndObject();
            writer.WriteEndArray();
            if (box.Score is { } score)
            {
                writer.WriteNumber("score", score);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
