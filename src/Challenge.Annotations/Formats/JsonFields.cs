using System.Text.Json;
using Challenge.Annotations.Model;

namespace Challenge.Annotations.Formats;

/// <summary>Typed access to JSON fields that fails with the entry and the JSON path at fault.</summary>
internal static class JsonFields
{
    public static JsonDocument Parse(InputEntry entry)
    {
        try
        {
            return JsonDocument.Parse(entry.Content, new JsonDocumentOptions { MaxDepth = 64, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new AnnotationFormatException(entry.Name, (int?)(ex.LineNumber + 1), $"invalid JSON: {FirstSentence(ex.Message)}");
        }
    }

    public static bool TryProperty(JsonElement obj, string name, out JsonElement value)
    {
        value = default;
        return obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;
    }

    public static double Number(JsonElement obj, string name, string entry, string path)
    {
        if (!TryProperty(obj, name, out var value))
        {
            throw new AnnotationFormatException(entry, null, $"{path}: the field '{name}' is missing");
        }

        return Number(value, entry, $"{path}.{name}");
    }

    public static double Number(JsonElement value, string entry, string path)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number))
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String
            && double.TryParse(value.GetString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var parsed)
            && double.IsFinite(parsed))
        {
            return parsed;
        }

        throw new AnnotationFormatException(entry, null, value.ValueKind == JsonValueKind.Number
            ? $"{path}: {CocoJsonReader.OutOfRange(value.GetRawText())}"
            : $"{path}: expected a number, found {Describe(value)}");
    }

    public static double? OptionalNumber(JsonElement obj, string name, string entry, string path) =>
        TryProperty(obj, name, out var value) ? Number(value, entry, $"{path}.{name}") : null;

    public static int Integer(JsonElement obj, string name, string entry, string path)
    {
        var number = Number(obj, name, entry, path);
        if (number != Math.Floor(number) || number < int.MinValue || number > int.MaxValue)
        {
            throw new AnnotationFormatException(entry, null, $"{path}.{name}: expected an integer, found {number}");
        }

        return (int)number;
    }

    public static int? OptionalInteger(JsonElement obj, string name, string entry, string path) =>
        TryProperty(obj, name, out _) ? Integer(obj, name, entry, path) : null;

    public static string? OptionalString(JsonElement obj, string name) =>
        TryProperty(obj, name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;

    public static JsonElement Array(JsonElement obj, string name, string entry, string path)
    {
        if (!TryProperty(obj, name, out var value) || value.ValueKind != JsonValueKind.Array)
        {
            throw new AnnotationFormatException(entry, null, $"{path}: expected an array '{name}'");
        }

        return value;
    }

    public static bool OptionalBool(JsonElement obj, string name) =>
        TryProperty(obj, name, out var value) && value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.Number => value.TryGetDouble(out var d) && d != 0,
            _ => false,
        };

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the text \"{Truncate(value.GetString() ?? "")}\"",
        JsonValueKind.Number => value.GetRawText(),
        _ => value.ValueKind.ToString().ToLowerInvariant(),
    };

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "...";

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
