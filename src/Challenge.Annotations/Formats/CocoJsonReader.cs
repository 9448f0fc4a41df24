using System.Globalization;
using System.Text;
using System.Text.Json;
using Challenge.Annotations.Model;

namespace Challenge.Annotations.Formats;

/// <summary>
/// Reads COCO annotation and detection arrays token by token: a million annotations become a million small structs,
/// with no DOM, no per-object serializer allocations and no array per bbox. Errors name the JSON path and the line.
/// </summary>
internal static class CocoJsonReader
{
    /// <summary>One annotation or detection as the file states it.</summary>
    public struct Annotation
    {
        public long? Id;
        public long? ImageId;
        public long? CategoryId;
        public double X;
        public double Y;
        public double Width;
        public double Height;
        public bool HasBox;
        public double? Area;
        public double? Score;
        public bool IsCrowd;
    }

    /// <summary>Reads the array the reader stands on; <paramref name="arrayPath"/> is "$.annotations" or "$".</summary>
    public static List<Annotation> ReadArray(ref Utf8JsonReader reader, InputEntry entry, string arrayPath)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Error(ref reader, entry, $"{arrayPath}: expected an array");
        }

        var annotations = new List<Annotation>();
        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw Error(ref reader, entry, $"{arrayPath}[{index}]: expected an object");
            }

            annotations.Add(ReadObject(ref reader, entry, arrayPath, index));
            if (++index % 1024 == 0)
            {
                entry.Cancellation.ThrowIfCancellationRequested();
            }
        }

        return annotations;
    }

    private static Annotation ReadObject(ref Utf8JsonReader reader, InputEntry entry, string arrayPath, int index)
    {
        var annotation = new Annotation();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("bbox"u8))
            {
                reader.Read();
                ReadBox(ref reader, entry, arrayPath, index, ref annotation);
            }
            else if (reader.ValueTextEquals("image_id"u8))
            {
                reader.Read();
                annotation.ImageId = Integer(ref reader, entry, arrayPath, index, "image_id");
            }
            else if (reader.ValueTextEquals("category_id"u8))
            {
                reader.Read();
                annotation.CategoryId = Integer(ref reader, entry, arrayPath, index, "category_id");
            }
            else if (reader.ValueTextEquals("score"u8))
            {
                reader.Read();
                annotation.Score = NullableNumber(ref reader, entry, arrayPath, index, "score");
            }
            else if (reader.ValueTextEquals("area"u8))
            {
                reader.Read();
                annotation.Area = NullableNumber(ref reader, entry, arrayPath, index, "area");
            }
            else if (reader.ValueTextEquals("iscrowd"u8))
            {
                reader.Read();
                annotation.IsCrowd = reader.TokenType switch
                {
                    JsonTokenType.True => true,
                    JsonTokenType.False or JsonTokenType.Null => false,
                    _ => Number(ref reader, entry, arrayPath, index, "iscrowd") != 0,
                };
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                annotation.Id = reader.TokenType == JsonTokenType.Null ? null : Integer(ref reader, entry, arrayPath, index, "id");
            }
            else
            {
                reader.Skip();
            }
        }

        return annotation;
    }

    private static void ReadBox(ref Utf8JsonReader reader, InputEntry entry, string arrayPath, int index, ref Annotation annotation)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Error(ref reader, entry, $"{arrayPath}[{index}].bbox: expected [x, y, width, height]");
        }

        Span<double> values = stackalloc double[5];
        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (count == 5)
            {
                throw Error(ref reader, entry, $"{arrayPath}[{index}].bbox: expected [x, y, width, height], found more numbers");
            }

            values[count++] = Number(ref reader, entry, arrayPath, index, "bbox");
        }

        // Rotated-box COCO variants (DOTA and mmrotate converters) append the angle as a fifth number.
        if (count == 5)
        {
            throw values[4] == 0
                ? Error(ref reader, entry, $"{arrayPath}[{index}].bbox: expected [x, y, width, height], found 5 numbers")
                : Error(ref reader, entry, $"{arrayPath}[{index}].bbox: a rotated box (angle {values[4].ToString(CultureInfo.InvariantCulture)}) is not supported; export upright [x, y, width, height] boxes");
        }

        if (count != 4)
        {
            throw Error(ref reader, entry, $"{arrayPath}[{index}].bbox: expected [x, y, width, height], found {count} numbers");
        }

        if (values[2] < 0 || values[3] < 0)
        {
            throw Error(ref reader, entry, $"{arrayPath}[{index}].bbox: width and height may not be negative");
        }

        (annotation.X, annotation.Y, annotation.Width, annotation.Height, annotation.HasBox) = (values[0], values[1], values[2], values[3], true);
    }

    private static double? NullableNumber(ref Utf8JsonReader reader, InputEntry entry, string arrayPath, int index, string field) =>
        reader.TokenType == JsonTokenType.Null ? null : Number(ref reader, entry, arrayPath, index, field);

    /// <summary>A 64-bit id: converters write ids such as 20180000001, which pycocotools reads as Python ints.</summary>
    private static long Integer(ref Utf8JsonReader reader, InputEntry entry, string arrayPath, int index, string field)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value))
        {
            return value;
        }

        if (reader.TokenType == JsonTokenType.String && long.TryParse(reader.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var quoted))
        {
            return quoted;
        }

        // 1.0 and 1e3 are integers written as floats; beyond 2^53 a double no longer holds every integer exactly.
        var number = Number(ref reader, entry, arrayPath, index, field);
        return number == Math.Floor(number) && Math.Abs(number) <= 9007199254740992d
            ? (long)number
            : throw Error(ref reader, entry, $"{arrayPath}[{index}].{field}: expected an integer, found {number.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>A finite number, or a string holding one (some exporters quote numbers).</summary>
    private static double Number(ref Utf8JsonReader reader, InputEntry entry, string arrayPath, int index, string field)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var number) && double.IsFinite(number))
        {
            return number;
        }

        if (reader.TokenType == JsonTokenType.String
            && double.TryParse(reader.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && double.IsFinite(parsed))
        {
            return parsed;
        }

        if (reader.TokenType == JsonTokenType.Number)
        {
            throw Error(ref reader, entry, $"{arrayPath}[{index}].{field}: {OutOfRange(Encoding.UTF8.GetString(reader.ValueSpan))}");
        }

        throw Error(ref reader, entry, $"{arrayPath}[{index}].{field}: expected a number, found {Describe(ref reader)}");
    }

    /// <summary>Why a well-formed JSON number is refused: it lies beyond what a double holds (1e400 reads as infinity).</summary>
    public static string OutOfRange(string rawNumber) =>
        $"the number {Shorten(rawNumber)} is out of range: numbers must lie within ±1.7976931348623157e308";

    private static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => $"the text \"{Shorten(reader.GetString() ?? "")}\"",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.StartObject => "an object",
        _ => reader.TokenType.ToString().ToLowerInvariant(),
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";

    /// <summary>An error at the reader's token; the line is counted only now, so reading stays free of the bookkeeping.</summary>
    public static AnnotationFormatException Error(ref Utf8JsonReader reader, InputEntry entry, string message)
    {
        var before = JsonSniffer.Utf8(entry)[..(int)Math.Min(reader.TokenStartIndex, int.MaxValue)];
        return new AnnotationFormatException(entry.Name, before.Count((byte)'\n') + 1, message);
    }

    public static string DescribeJsonError(JsonException ex)
    {
        var message = ex.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        cut = cut > 0 ? cut : message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return new StringBuilder("invalid JSON: ").Append(cut > 0 ? message[..cut] : message).ToString();
    }
}
