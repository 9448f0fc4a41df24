using System.Text.Json;
using Challenge.Annotations.Model;

namespace Challenge.Annotations.Formats;

/// <summary>COCO instances JSON and COCO detection results.</summary>
internal static class CocoFormat
{
    public static ParsedDocument ReadInstances(InputEntry entry)
    {
        var json = entry.Json;
        var root = json.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new AnnotationFormatException(entry.Name, 1, "a COCO instances file is a JSON object with images, categories and annotations");
        }

        var document = new ParsedDocument(AnnotationFormat.Coco);
        if (JsonFields.TryProperty(root, "categories", out var categories))
        {
            var index = 0;
            foreach (var category in categories.EnumerateArray())
            {
                var path = $"categories[{index++}]";
                document.DeclaredCategories.Add((JsonFields.Integer(category, "id", entry.Name, path),
                    JsonFields.OptionalString(category, "name") ?? throw new AnnotationFormatException(entry.Name, null, $"{path}: the field 'name' is missing")));
            }
        }

        var imagesById = new Dictionary<int, ParsedImage>();
        var imageIndex = 0;
        foreach (var image in JsonFields.Array(root, "images", entry.Name, "$").EnumerateArray())
        {
            var path = $"images[{imageIndex++}]";
            var id = JsonFields.Integer(image, "id", entry.Name, path);
            var parsed = new ParsedImage(entry.Name)
            {
                Id = id,
                FileName = JsonFields.OptionalString(image, "file_name"),
                Width = JsonFields.OptionalInteger(image, "width", entry.Name, path),
                Height = JsonFields.OptionalInteger(image, "height", entry.Name, path),
            };
            if (!imagesById.TryAdd(id, parsed))
            {
                throw new AnnotationFormatException(entry.Name, null, $"{path}: the image id {id} appears twice");
            }

            document.Images.Add(parsed);
        }

        var annotationIndex = 0;
        foreach (var annotation in JsonFields.Array(root, "annotations", entry.Name, "$").EnumerateArray())
        {
            var path = $"annotations[{annotationIndex++}]";
            var imageId = JsonFields.Integer(annotation, "image_id", entry.Name, path);
            if (!imagesById.TryGetValue(imageId, out var image))
            {
                throw new AnnotationFormatException(entry.Name, null, $"{path}: image_id {imageId} is not in the file's images");
            }

            var box = ReadBox(annotation, entry.Name, path);
            image.Boxes.Add(new ParsedBox(null, JsonFields.Integer(annotation, "category_id", entry.Name, path),
                box[0], box[1], box[2], box[3], BoxUnits.Pixels,
                Score: JsonFields.OptionalNumber(annotation, "score", entry.Name, path),
                IsCrowd: JsonFields.OptionalBool(annotation, "iscrowd"),
                Area: JsonFields.OptionalNumber(annotation, "area", entry.Name, path),
                Id: JsonFields.TryProperty(annotation, "id", out _) ? (long)JsonFields.Number(annotation, "id", entry.Name, path) : null));
        }

        return document;
    }

    public static ParsedDocument ReadResults(InputEntry entry)
    {
        var json = entry.Json;
        var root = json.RootElement;
        if (root.ValueKind != JsonValueKind.Array)
        {
            throw new AnnotationFormatException(entry.Name, 1, "COCO detection results are a JSON array of {image_id, category_id, bbox, score}");
        }

        var document = new ParsedDocument(AnnotationFormat.CocoResults);
        var images = new Dictionary<int, ParsedImage>();
        var index = 0;
        foreach (var detection in root.EnumerateArray())
        {
            var path = $"[{index++}]";
            var imageId = JsonFields.Integer(detection, "image_id", entry.Name, path);
            if (!images.TryGetValue(imageId, out var image))
            {
                image = new ParsedImage(entry.Name) { Id = imageId };
                images.Add(imageId, image);
                document.Images.Add(image);
            }

            var box = ReadBox(detection, entry.Name, path);
            // Numbered by position in the file as pycocotools' loadRes numbers them, which keeps file order for ties.
            image.Boxes.Add(new ParsedBox(null, JsonFields.Integer(detection, "category_id", entry.Name, path),
                box[0], box[1], box[2], box[3], BoxUnits.Pixels, Score: JsonFields.Number(detection, "score", entry.Name, path),
                Id: index));
        }

        return document;
    }

    private static double[] ReadBox(JsonElement annotation, string entry, string path)
    {
        var bbox = JsonFields.Array(annotation, "bbox", entry, path);
        if (bbox.GetArrayLength() != 4)
        {
            throw new AnnotationFormatException(entry, null, $"{path}.bbox: expected [x, y, width, height], found {bbox.GetArrayLength()} numbers");
        }

        var values = new double[4];
        var i = 0;
        foreach (var value in bbox.EnumerateArray())
        {
            values[i] = JsonFields.Number(value, entry, $"{path}.bbox[{i}]");
            i++;
        }

        if (values[2] < 0 || values[3] < 0)
        {
            throw new AnnotationFormatException(entry, null, $"{path}.bbox: width and height may not be negative");
        }

        return values;
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
