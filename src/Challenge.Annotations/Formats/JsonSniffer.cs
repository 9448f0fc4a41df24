using System.Text.Json;
using Challenge.Annotations.Model;

namespace Challenge.Annotations.Formats;

/// <summary>
/// Recognises a JSON export from its first tokens without building a DOM of the whole file: the top-level keys
/// of an object, or the first element of an array.
/// </summary>
internal static class JsonSniffer
{
    private static readonly JsonReaderOptions _options = new() { AllowTrailingCommas = true, MaxDepth = 64 };

    /// <summary>The content without a UTF-8 byte order mark, which the streaming reader does not accept.</summary>
    public static ReadOnlySpan<byte> Utf8(InputEntry entry) =>
        entry.Content.AsSpan().StartsWith("\uFEFF"u8) ? entry.Content.AsSpan(3) : entry.Content;

    public static JsonTokenType FirstToken(InputEntry entry)
    {
        var reader = new Utf8JsonReader(Utf8(entry), _options);
        try
        {
            return reader.Read() ? reader.TokenType : JsonTokenType.None;
        }
        catch (JsonException ex)
        {
            throw Invalid(entry, ex);
        }
    }

    public static AnnotationFormat? Detect(InputEntry entry)
    {
        var reader = new Utf8JsonReader(Utf8(entry), _options);
        try
        {
            if (!reader.Read())
            {
                return null;
            }

            return reader.TokenType switch
            {
                JsonTokenType.StartObject => FromTopLevelKeys(ref reader),
                JsonTokenType.StartArray => FromFirstElement(ref reader),
                _ => null,
            };
        }
        catch (JsonException ex)
        {
            throw Invalid(entry, ex);
        }
    }

    private static AnnotationFormat? FromTopLevelKeys(ref Utf8JsonReader reader)
    {
        bool images = false, annotations = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            switch (reader.GetString())
            {
                case "images":
                    images = true;
                    break;
                case "annotations":
                    annotations = true;
                    break;
                case "jsonResponse" or "latestLabel" or "labels" or "externalId":
                    return AnnotationFormat.Kili;
                case "data":
                    return AnnotationFormat.LabelStudio;
            }

            if (images && annotations)
            {
                return AnnotationFormat.Coco;
            }

            reader.Skip();
        }

        return null;
    }

    private static AnnotationFormat? FromFirstElement(ref Utf8JsonReader reader)
    {
        if (!reader.Read() || reader.TokenType == JsonTokenType.EndArray)
        {
            return AnnotationFormat.CocoResults;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        using var first = JsonDocument.ParseValue(ref reader);
        var element = first.RootElement;
        if (element.TryGetProperty("image_id", out _))
        {
            return AnnotationFormat.CocoResults;
        }

        if (KiliFormat.LooksLikeKili(element))
        {
            return AnnotationFormat.Kili;
        }

        return element.TryGetProperty("data", out _) ? AnnotationFormat.LabelStudio : null;
    }

    private static AnnotationFormatException Invalid(InputEntry entry, JsonException ex) =>
        new(entry.Name, ex.LineNumber is { } line ? (int)line + 1 : null, $"invalid JSON: {FirstSentence(ex.Message)}");

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
