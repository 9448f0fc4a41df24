using System.Text.Json;
using System.Text.Json.Serialization;
using Challenge.Annotations.Model;

namespace Challenge.Annotations.Formats;

/// <summary>COCO instances JSON and COCO detection results.</summary>
internal static class CocoFormat
{
    // Read token by token rather than walked as a DOM: COCO files reach a million annotations. The small arrays
    // (images, categories) go through the serializer; annotations through CocoJsonReader.
    private static readonly JsonSerializerOptions _options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        AllowTrailingCommas = true,
        MaxDepth = 64,
    };

    private static readonly JsonReaderOptions _readerOptions = new() { AllowTrailingCommas = true, MaxDepth = 64 };

    private sealed class CocoImage
    {
        public long? Id { get; set; }
        public string? FileName { get; set; }
        public int? Width { get; set; }
        public int? Height { get; set; }
    }

    private sealed class CocoCategory
    {
        public long? Id { get; set; }
        public string? Name { get; set; }
    }

    public static ParsedDocument ReadInstances(InputEntry entry)
    {
        List<CocoImage?>? images = null;
        List<CocoCategory?>? categories = null;
        List<CocoJsonReader.Annotation>? annotations = null;
        var reader = new Utf8JsonReader(JsonSniffer.Utf8(entry), _readerOptions);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new AnnotationFormatException(entry.Name, 1, "a COCO instances file is a JSON object with images, categories and annotations");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("annotations"u8))
                {
                    reader.Read();
                    annotations = CocoJsonReader.ReadArray(ref reader, entry, "$.annotations");
                }
                else if (reader.ValueTextEquals("images"u8))
                {
                    reader.Read();
                    images = Deserialize<List<CocoImage?>>(ref reader, entry, "$.images");
                }
                else if (reader.ValueTextEquals("categories"u8))
                {
                    reader.Read();
                    categories = Deserialize<List<CocoCategory?>>(ref reader, entry, "$.categories");
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException ex)
        {
            throw new AnnotationFormatException(entry.Name, ex.LineNumber is { } line ? (int)line + 1 : null, CocoJsonReader.DescribeJsonError(ex));
        }

        if (images is null || annotations is null)
        {
            throw new AnnotationFormatException(entry.Name, null, "$: a COCO instances file needs the arrays 'images' and 'annotations'");
        }

        var document = new ParsedDocument(AnnotationFormat.Coco);
        var index = 0;
        foreach (var category in categories ?? [])
        {
            var path = $"categories[{index++}]";
            document.DeclaredCategories.Add((Required(category?.Id, entry, path, "id"), Required(category?.Name, entry, path, "name")));
        }

        var imagesById = new Dictionary<long, ParsedImage>(images.Count);
        index = 0;
        foreach (var image in images)
        {
            var path = $"images[{index++}]";
            var id = Required(image?.Id, entry, path, "id");
            var parsed = new ParsedImage(entry.Name) { Id = id, FileName = image!.FileName, Width = image.Width, Height = image.Height };
            if (!imagesById.TryAdd(id, parsed))
            {
                throw new AnnotationFormatException(entry.Name, null, $"{path}: the image id {id} appears twice");
            }

            document.Images.Add(parsed);
        }

        var zeroIds = new List<int>();
        for (var position = 0; position < annotations.Count; position++)
        {
            var annotation = annotations[position];
            if (annotation.Id == 0)
            {
                zeroIds.Add(position);
            }

            var imageId = Required(annotation.ImageId, entry, position, "image_id");
            if (!imagesById.TryGetValue(imageId, out var image))
            {
                throw new AnnotationFormatException(entry.Name, null, $"annotations[{position}]: image_id {imageId} is not in the file's images");
            }

            RequireBox(annotation, entry, $"annotations[{position}]");
            image.Boxes.Add(new ParsedBox(null, Required(annotation.CategoryId, entry, position, "category_id"),
                annotation.X, annotation.Y, annotation.Width, annotation.Height, BoxUnits.Pixels,
                Score: annotation.Score, IsCrowd: annotation.IsCrowd, Area: annotation.Area, Id: annotation.Id));
        }

        if (zeroIds.Count > 0)
        {
            // pycocotools records a match by the gold box's id and reads 0 as "unmatched", so a box with id 0 is
            // missed by every team and the detection on it counts as a false positive; the scorer does the same.
            var where = string.Join(", ", zeroIds.Take(5).Select(p => $"annotations[{p}]")) + (zeroIds.Count > 5 ? $" and {zeroIds.Count - 5} more" : "");
            document.Warnings.Add(new AnnotationError(entry.Name, null,
                $"{where}: annotation id 0 can never be matched by pycocotools (nor by this scorer), so every team misses that box; number the annotations from 1"));
        }

        return document;
    }

    public static ParsedDocument ReadResults(InputEntry entry)
    {
        List<CocoJsonReader.Annotation> detections;
        var reader = new Utf8JsonReader(JsonSniffer.Utf8(entry), _readerOptions);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                throw new AnnotationFormatException(entry.Name, 1, "COCO detection results are a JSON array of {image_id, category_id, bbox, score}");
            }

            detections = CocoJsonReader.ReadArray(ref reader, entry, "$");
        }
        catch (JsonException ex)
        {
            throw new AnnotationFormatException(entry.Name, ex.LineNumber is { } line ? (int)line + 1 : null, CocoJsonReader.DescribeJsonError(ex));
        }

        var document = new ParsedDocument(AnnotationFormat.CocoResults);
        var images = new Dictionary<long, ParsedImage>();
        for (var index = 0; index < detections.Count; index++)
        {
            var detection = detections[index];
            var path = $"[{index}]";
            var imageId = Required(detection.ImageId, entry, path, "image_id");
            if (!images.TryGetValue(imageId, out var image))
            {
                image = new ParsedImage(entry.Name) { Id = imageId };
                images.Add(imageId, image);
                document.Images.Add(image);
            }

            RequireBox(detection, entry, path);
            // Numbered by position in the file as pycocotools' loadRes numbers them, which keeps file order for ties.
            image.Boxes.Add(new ParsedBox(null, Required(detection.CategoryId, entry, path, "category_id"),
                detection.X, detection.Y, detection.Width, detection.Height, BoxUnits.Pixels,
                Score: Required(detection.Score, entry, path, "score"), Id: index + 1));
        }

        return document;
    }

    private static T Deserialize<T>(ref Utf8JsonReader reader, InputEntry entry, string path)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(ref reader, _options)
                ?? throw CocoJsonReader.Error(ref reader, entry, $"{path}: expected an array, found null");
        }
        catch (JsonException ex) when (ex.Path is not null)
        {
            var where = $"{path}{ex.Path.TrimStart('$')}";
            throw new AnnotationFormatException(entry.Name, ex.LineNumber is { } line ? (int)line + 1 : null, $"invalid COCO JSON: {where}: a value has the wrong type");
        }
    }

    private static TValue Required<TValue>(TValue? value, InputEntry entry, string path, string field)
        where TValue : struct =>
        value ?? throw new AnnotationFormatException(entry.Name, null, $"{path}: the field '{field}' is missing");

    private static TValue Required<TValue>(TValue? value, InputEntry entry, int annotationIndex, string field)
        where TValue : struct =>
        value ?? throw new AnnotationFormatException(entry.Name, null, $"annotations[{annotationIndex}]: the field '{field}' is missing");

    private static string Required(string? value, InputEntry entry, string path, string field) =>
        value ?? throw new AnnotationFormatException(entry.Name, null, $"{path}: the field '{field}' is missing");

    private static void RequireBox(CocoJsonReader.Annotation annotation, InputEntry entry, string path)
    {
        if (!annotation.HasBox)
        {
            throw new AnnotationFormatException(entry.Name, null, $"{path}: the field 'bbox' is missing");
        }
    }

    public static byte[] WriteInstances(AnnotationDataset dataset)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("images");
            foreach (var image in dataset.Images)
            {
                writer.WriteStartObject();
                writer.WriteNumber("id", image.Id);
                writer.WriteString("file_name", image.FileName);
                writer.WriteNumber("width", image.Width);
                writer.WriteNumber("height", image.Height);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            WriteCategories(writer, dataset);
            writer.WriteStartArray("annotations");
            foreach (var box in dataset.Boxes)
            {
                writer.WriteStartObject();
                writer.WriteNumber("id", box.Id);
                writer.WriteNumber("image_id", box.ImageId);
                writer.WriteNumber("category_id", box.CategoryId);
                WriteBbox(writer, box);
                writer.WriteNumber("area", box.EffectiveArea);
                writer.WriteNumber("iscrowd", box.IsCrowd ? 1 : 0);
                if (box.Score is { } score)
                {
                    writer.WriteNumber("score", score);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public static byte[] WriteResults(AnnotationDataset dataset)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var box in dataset.Boxes)
            {
                writer.WriteStartObject();
                writer.WriteNumber("image_id", box.ImageId);
                writer.WriteNumber("category_id", box.CategoryId);
                WriteBbox(writer, box);
                writer.WriteNumber("score", box.Score ?? 1.0);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return buffer.ToArray();
    }

    private static void WriteCategories(Utf8JsonWriter writer, AnnotationDataset dataset)
    {
        writer.WriteStartArray("categories");
        foreach (var category in dataset.Categories)
        {
            writer.WriteStartObject();
            writer.WriteNumber("id", category.Id);
            writer.WriteString("name", category.Name);
            writer.WriteString("supercategory", "object");
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteBbox(Utf8JsonWriter writer, BoxAnnotation box)
    {
        writer.WriteStartArray("bbox");
        writer.WriteNumberValue(box.X);
        writer.WriteNumberValue(box.Y);
        writer.WriteNumberValue(box.Width);
        writer.WriteNumberValue(box.Height);
        writer.WriteEndArray();
    }
}
