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
