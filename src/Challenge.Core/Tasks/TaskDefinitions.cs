using System.Globalization;
using System.Text.Json;
using Challenge.Scoring;

namespace Challenge.Core.Tasks;

public static class TaskDefinitions
{
    public static TaskDefinition ToDefinition(this CompetitionTask task)
    {
        var options = TaskScoringOptions.Read(task.ScoringOptionsJson);
        var defaults = new TaskDefinition();
        return new()
        {
            Kind = task.Kind,
            Metric = task.Metric,
            IdColumn = task.IdColumn,
            TargetColumn = task.TargetColumn,
            PublicFraction = task.PublicFraction,
            Seed = task.SplitSeed,
            Classes = ParseClassesJson(task.ClassesJson),
            ClassWeights = ParseWeightsJson(task.ClassWeightsJson),
            MaxFileBytes = task.MaxSubmissionBytes,
            TopK = options.TopK ?? defaults.TopK,
            PositiveClass = options.PositiveClass,
            Threshold = options.Threshold ?? defaults.Threshold,
            Beta = options.Beta ?? defaults.Beta,
            ImageWidth = options.ImageWidth ?? 0,
            ImageHeight = options.ImageHeight ?? 0,
            ClassParents = options.ClassParents,
            Depth = options.Depth ?? defaults.Depth,
        };
    }

    public static IReadOnlyList<string>? ParseClassesJson(string? json) =>
        string.IsNullOrWhiteSpace(json) ? null : JsonSerializer.Deserialize<string[]>(json);

    /// <summary>
    /// Reads a class list typed or pasted by an organizer: one class per line, or separated by
    /// commas or tabs (a header row of a CSV pastes as one line). Returns null for an empty text
    /// and an error naming the first empty or repeated class.
    /// </summary>
    public static (string[]? Classes, string? Error) ParseClassesText(string text)
    {
        var lines = text.Replace("\r", "").Trim('\n').Split('\n', StringSplitOptions.TrimEntries);
        var names = lines.Length == 1 ? lines[0].Split([',', '\t', ';'], StringSplitOptions.TrimEntries) : lines;
        var classes = names.Select((name, index) => (name, index)).ToList();
        // A trailing newline or comma is not an empty class.
        while (classes.Count > 0 && classes[^1].name.Length == 0)
        {
            classes.RemoveAt(classes.Count - 1);
        }
        if (classes.Count == 0)
        {
            return (null, null);
        }
        var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, index) in classes)
        {
            if (name.Length == 0)
            {
                return (null, $"Class {index + 1} of the list is empty.");
            }
            if (name.Length > 200)
            {
                return (null, $"Class {index + 1} is longer than 200 characters.");
            }
            if (!seen.TryAdd(name, index))
            {
                return (null, $"'{name}' is listed twice (classes {seen[name] + 1} and {index + 1}; names are compared ignoring case).");
            }
        }
        if (classes.Count > 100_000)
        {
            return (null, "A task declares at most 100,000 classes.");
        }
        return ([.. classes.Select(c => c.name)], null);
    }

    public static string FormatClasses(string? json) =>
        ParseClassesJson(json) is { } classes ? string.Join("\n", classes) : "";

    public static IReadOnlyDictionary<string, double>? ParseWeightsJson(string? json) =>
        string.IsNullOrWhiteSpace(json) ? null : JsonSerializer.Deserialize<Dictionary<string, double>>(json);

    // "sandy=1, reef=2.5" or one pair per line; returns null and an error naming the bad entry.
    public static (Dictionary<string, double>? Weights, string? Error) ParseWeightsText(string text)
    {
        var weights = new Dictionary<string, double>(StringComparer.Ordinal);
        var entries = text.Split([',', '\n', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var entry in entries)
        {
            var parts = entry.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0)
            {
                return (null, $"'{entry}' is not of the form class=weight.");
            }
            if (!double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var weight) || !double.IsFinite(weight) || weight < 0)
            {
                return (null, $"The weight of '{parts[0]}' must be a non-negative number, not '{parts[1]}'.");
            }
            if (!weights.TryAdd(parts[0], weight))
            {
                return (null, $"The class '{parts[0]}' has two weights.");
            }
        }
        return (weights.Count == 0 ? null : weights, null);
    }

    public static string FormatWeights(string? json) =>
        ParseWeightsJson(json) is { } weights
            ? string.Join(", ", weights.Select(w => $"{w.Key}={w.Value.ToString(CultureInfo.InvariantCulture)}"))
            : "";
}
