using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Challenge.Core.Bundles;

/// <summary>
/// Reads one YAML file of a bundle key by key, so that every problem names the file, the line and
/// the key (as "tasks[0].metric"); a key the schema does not know is an error, not a silent skip.
/// </summary>
internal sealed class BundleYaml(string file, List<BundleError> errors)
{
    public string File { get; } = file;

    /// <summary>Where each key was read, so that later checks (the services' own) can point at it.</summary>
    public Dictionary<string, int> Lines { get; } = new(StringComparer.Ordinal);

    public YamlMappingNode? Load(byte[] content)
    {
        try
        {
            var stream = new YamlStream();
            using var reader = new StreamReader(new MemoryStream(content), detectEncodingFromByteOrderMarks: true);
            stream.Load(reader);
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            {
                Error(1, null, "the file must hold a mapping of keys, like 'title: My challenge'.");
                return null;
            }
            return root;
        }
        catch (YamlException exception)
        {
            Error(LineOf(exception.Start), null, $"this is not valid YAML: {exception.Message}");
            return null;
        }
    }

    public void Error(int? line, string? key, string message) => errors.Add(new BundleError(File, line, key, message));

    public void Error(YamlNode node, string key, string message) => Error(LineOf(node.Start), key, message);

    public int LineAt(string key, int fallback = 1) => Lines.TryGetValue(key, out var line) ? line : fallback;

    /// <summary>The mapping's entries by key; unknown and repeated keys are errors.</summary>
    public Dictionary<string, YamlNode> Entries(YamlMappingNode map, string prefix, IReadOnlyCollection<string> known)
    {
        var entries = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in map.Children)
        {
            var name = (keyNode as YamlScalarNode)?.Value ?? "";
            var path = prefix.Length == 0 ? name : $"{prefix}.{name}";
            Lines[path] = LineOf(keyNode.Start);
            if (!known.Contains(name))
            {
                Error(keyNode, path, $"unknown key. The keys here are: {string.Join(", ", known)}.");
            }
            else if (!entries.TryAdd(name, value))
            {
                Error(keyNode, path, "this key is given twice.");
            }
        }
        return entries;
    }

    public YamlMappingNode? Mapping(Dictionary<string, YamlNode> entries, string key, string path)
    {
        if (!entries.TryGetValue(key, out var node) || IsNull(node))
        {
            return null;
        }
        if (node is YamlMappingNode map)
        {
            return map;
        }
        Error(node, path, "expected a mapping of keys here.");
        return null;
    }

    public YamlSequenceNode? Sequence(Dictionary<string, YamlNode> entries, string key, string path)
    {
        if (!entries.TryGetValue(key, out var node) || IsNull(node))
        {
            return null;
        }
        if (node is YamlSequenceNode sequence)
        {
            return sequence;
        }
        Error(node, path, "expected a list here (lines starting with '- ').");
        return null;
    }

    public string? String(Dictionary<string, YamlNode> entries, string key, string path)
    {
        if (!entries.TryGetValue(key, out var node) || IsNull(node))
        {
            return null;
        }
        if (node is YamlScalarNode scalar)
        {
            return scalar.Value ?? "";
        }
        Error(node, path, "expected a single value here, not a list or mapping.");
        return null;
    }

    public int? Int(Dictionary<string, YamlNode> entries, string key, string path) =>
        Parse<int>(entries, key, path, "a whole number", text => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : (int?)null);

    public double? Double(Dictionary<string, YamlNode> entries, string key, string path) =>
        Parse<double>(entries, key, path, "a number", text => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) ? value : null);

    public bool? Bool(Dictionary<string, YamlNode> entries, string key, string path) =>
        Parse<bool>(entries, key, path, "true or false", text => text.ToLowerInvariant() switch { "true" or "yes" => true, "false" or "no" => false, _ => (bool?)null });

    public DateTime? Date(Dictionary<string, YamlNode> entries, string key, string path) =>
        Parse<DateTime>(entries, key, path, "a date and time in UTC, like 2026-03-01T00:00:00Z", text =>
            DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var value)
                ? DateTime.SpecifyKind(value, DateTimeKind.Utc) : null);

    /// <summary>A mapping of names to numbers (class weights) or to names (class parents).</summary>
    public Dictionary<string, T>? Map<T>(Dictionary<string, YamlNode> entries, string key, string path, Func<string, T?> parse, string expected)
        where T : struct
    {
        var map = Mapping(entries, key, path);
        if (map is null)
        {
            return null;
        }
        var result = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in map.Children)
        {
            var name = (keyNode as YamlScalarNode)?.Value ?? "";
            if (value is YamlScalarNode { Value: { } text } && parse(text) is { } parsed)
            {
                result[name] = parsed;
            }
            else
            {
                Error(value, $"{path}.{name}", $"expected {expected}.");
            }
        }
        return result;
    }

    /// <summary>A list of names, as <c>[a, b]</c> or one <c>- name</c> per line.</summary>
    public List<string>? TextList(Dictionary<string, YamlNode> entries, string key, string path)
    {
        var sequence = Sequence(entries, key, path);
        if (sequence is null)
        {
            return null;
        }
        var result = new List<string>();
        foreach (var item in sequence.Children)
        {
            if (item is YamlScalarNode { Value: { } text })
            {
                result.Add(text);
            }
            else
            {
                Error(item, path, "expected a single name in the list.");
            }
        }
        return result;
    }

    public Dictionary<string, string>? TextMap(Dictionary<string, YamlNode> entries, string key, string path)
    {
        var map = Mapping(entries, key, path);
        if (map is null)
        {
            return null;
        }
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in map.Children)
        {
            var name = (keyNode as YamlScalarNode)?.Value ?? "";
            if (value is YamlScalarNode { Value: { } text })
            {
                result[name] = text;
            }
            else
            {
                Error(value, $"{path}.{name}", "expected a single name.");
            }
        }
        return result;
    }

    private T? Parse<T>(Dictionary<string, YamlNode> entries, string key, string path, string expected, Func<string, T?> parse)
        where T : struct
    {
        var text = String(entries, key, path);
        if (text is null)
        {
            return null;
        }
        var value = parse(text.Trim());
        if (value is null)
        {
            Error(entries[key], path, $"expected {expected}, not '{text}'.");
        }
        return value;
    }

    private static bool IsNull(YamlNode node) => node is YamlScalarNode { Value: null or "" or "~" or "null", Style: ScalarStyle.Plain };

    public static int LineOf(Mark mark) => (int)mark.Line;
}
