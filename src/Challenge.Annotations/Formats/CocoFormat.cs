using System.Text.Json;
using System.Text.Json.Serialization;
using Challenge.Annotations.Model;

namespace Challenge.Annotations.Formats;

/// <summary>COCO instances JSON and COCO detection results.</summary>
internal static class CocoFormat
{
    // Streamed into plain objects rather than walked as a DOM: COCO files reach a million annotations, and this
    // halves the time and memory of reading them. Type errors come back from the serializer with their JSON path.
    private static readonly JsonSerializerOptions _options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        AllowTrailingCommas = true,
        MaxDepth = 64,
    };

    private sealed class CocoFile
    {
        public List<CocoImage>? Images { get; set; }
        public List<CocoAnnotation>? Annotations { get; set; }
        public List<CocoCategory>? Categories { get; set; }
    }

    private sealed class CocoImage
    {
        public int? Id { get; set; }
        public string? FileName { get; set; }
        public int? Width { get; set; }
        public int? Height { get; set; }
    }

    private sealed class CocoCategory
    {
        public int? Id { get; set; }
        public string? Name { get; set; }
    }

    private sealed class CocoAnnotation
    {
        public long? Id { get; set; }
        public int? ImageId { get; set; }
        public int? CategoryId { get; set; }
        public double[]? Bbox { get; set; }
        public double? Area { get; set; }
        public double? Score { get; set; }
        [JsonConverter(typeof(FlagConverter))]
        public bool Iscrowd { get; set; }
    }

    /// <summary>iscrowd is 0/1 in COCO files; some tools write true/false.</summary>
    private sealed class FlagConverter : JsonConverter<bool>
    {
        public override bool Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False or JsonTokenType.Null => false,
            JsonTokenType.Number => reader.GetDouble() != 0,
            _ => throw new JsonException("expected 0, 1, true or false"),
        };

        public override void Write(Utf8JsonWriter writer, bool value, JsonSerializerOptions options) => writer.WriteNumberValue(value ? 1 : 0);
    }

    public static ParsedDocument ReadInstances(InputEntry entry)
    {
        if (JsonSniffer.FirstToken(entry) != JsonTokenType.StartObject)
        {
            throw new AnnotationFormatException(entry.Name, 1, "a COCO instances file is a JSON object with images, categories and annotations");
        }

        var file = Deserialize<CocoFile>(entry);
        var document = new ParsedDocument(AnnotationFormat.Coco);
        var index = 0;
        foreach (var category in file.Categories ?? [])
        {
            var path = $"categories[{index++}]";
            document.DeclaredCategories.Add((Required(category?.Id, entry, path, "id"), Required(category?.Name, entry, path, "name")));
        }

        if (file.Images is null || file.Annotations is null)
        {
            throw new AnnotationFormatException(entry.Name, null, "$: a COCO instances file needs the arrays 'images' and 'annotations'");
        }

        var imagesById = new Dictionary<int, ParsedImage>(file.Images.Count);
        index = 0;
        foreach (var image in file.Images)
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

        index = 0;
        foreach (var annotation in file.Annotations)
        {
            var position = index++;
            var imageId = Required(annotation?.ImageId, entry, position, "image_id");
            if (!imagesById.TryGetValue(imageId, out var image))
            {
                throw new AnnotationFormatException(entry.Name, null, $"annotations[{position}]: image_id {imageId} is not in the file's images");
            }

            var box = CheckBox(annotation!.Bbox, entry, $"annotations[{position}]");
            image.Boxes.Add(new ParsedBox(null, Required(annotation.CategoryId, entry, position, "category_id"),
                box[0], box[1], box[2], box[3], BoxUnits.Pixels,
                Score: annotation.Score, IsCrowd: annotation.Iscrowd, Area: annotation.Area, Id: annotation.Id));
        }

        return document;
    }

    public static ParsedDocument ReadResults(InputEntry entry)
    {
        if (JsonSniffer.FirstToken(entry) != JsonTokenType.StartArray)
        {
            throw new AnnotationFormatException(entry.Name, 1, "COCO detection results are a JSON array of {image_id, category_id, bbox, score}");
        }

        var detections = Deserialize<List<CocoAnnotation?>>(entry);
        var document = new ParsedDocument(AnnotationFormat.CocoResults);
        var images = new Dictionary<int, ParsedImage>();
        for (var index = 0; index < detections.Count; index++)
        {
            var detection = detections[index];
            var path = $"[{index}]";
            var imageId = Required(detection?.ImageId, entry, path, "image_id");
            if (!images.TryGetValue(imageId, out var image))
            {
                image = new ParsedImage(entry.Name) { Id = imageId };
                images.Add(imageId, image);
                document.Images.Add(image);
            }

            var box = CheckBox(detection!.Bbox, entry, path);
            // Numbered by position in the file as pycocotools' loadRes numbers them, which keeps file order for ties.
            image.Boxes.Add(new ParsedBox(null, Required(detection.CategoryId, entry, path, "category_id"),
                box[0], box[1], box[2], box[3], BoxUnits.Pixels, Score: Required(detection.Score, entry, path, "score"),
                Id: index + 1));
        }

        return document;
    }

    private static T Deserialize<T>(InputEntry entry)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(JsonSniffer.Utf8(entry), _options)
                ?? throw new AnnotationFormatException(entry.Name, 1, "the file holds JSON null");
        }
        catch (JsonException ex)
        {
            var line = ex.LineNumber is { } zeroBased ? (int?)(zeroBased + 1) : null;
            var where = string.IsNullOrEmpty(ex.Path) ? "" : $"{ex.Path}: ";
            var why = ex.InnerException is null && ex.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal)
                ? "a value has the wrong type"
                : FirstSentence(ex.Message);
            throw new AnnotationFormatException(entry.Name, line, $"invalid COCO JSON: {where}{why}");
        }
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    private static TValue Required<TValue>(TValue? value, InputEntry entry, string path, string field)
        where TValue : struct =>
        value ?? throw new AnnotationFormatException(entry.Name, null, $"{path}: the field '{field}' is missing");

    private static TValue Required<TValue>(TValue? value, InputEntry entry, int annotationIndex, string field)
        where TValue : struct =>
        value ?? throw new AnnotationFormatException(entry.Name, null, $"annotations[{annotationIndex}]: the field '{field}' is missing");

    private static string Required(string? value, InputEntry entry, string path, string field) =>
        value ?? throw new AnnotationFormatException(entry.Name, null, $"{path}: the field '{field}' is missing");

    private static double[] CheckBox(double[]? bbox, InputEntry entry, string path)
    {
        if (bbox is not { Length: 4 })
        {
            throw new AnnotationFormatException(entry.Name, null, $"{path}.bbox: expected [x, y, width, height]");
        }

        if (bbox.Any(v => !double.IsFinite(v)) || bbox[2] < 0 || bbox[3] < 0)
        {
            throw new AnnotationFormatException(entry.Name, null, $"{path}.bbox: width and height may not be negative");
        }

        return bbox;
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
