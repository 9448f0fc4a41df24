using System.Text.Json;
using Challenge.Scoring;

namespace Challenge.Core.Tasks;

/// <summary>
/// The settings that only some task kinds and metrics read, stored as one JSON column: k for
/// map@k, the positive class and threshold of a binary task, β of f_beta, the image size of RLE
/// masks, and the taxonomy of hierarchical metrics. Null fields take the scorer's defaults.
/// </summary>
public sealed record TaskScoringOptions
{
    public int? TopK { get; init; }
    public string? PositiveClass { get; init; }
    public double? Threshold { get; init; }
    public double? Beta { get; init; }
    public int? ImageWidth { get; init; }
    public int? ImageHeight { get; init; }
    public Dictionary<string, string>? ClassParents { get; init; }
    public int? Depth { get; init; }

    public bool IsEmpty => this == new TaskScoringOptions();

    public static TaskScoringOptions Read(string? json) =>
        string.IsNullOrWhiteSpace(json) ? new() : JsonSerializer.Deserialize<TaskScoringOptions>(json) ?? new();

    public string? ToJson() => IsEmpty ? null : JsonSerializer.Serialize(this);

    // Records compare dictionaries by reference; two readings of the same taxonomy are equal.
    public bool Equals(TaskScoringOptions? other) =>
        other is not null && TopK == other.TopK && PositiveClass == other.PositiveClass && Threshold == other.Threshold
        && Beta == other.Beta && ImageWidth == other.ImageWidth && ImageHeight == other.ImageHeight && Depth == other.Depth
        && (ClassParents ?? []).OrderBy(p => p.Key, StringComparer.Ordinal).SequenceEqual((other.ClassParents ?? []).OrderBy(p => p.Key, StringComparer.Ordinal));

    public override int GetHashCode() => HashCode.Combine(TopK, PositiveClass, Threshold, Beta, ImageWidth, ImageHeight, Depth, ClassParents?.Count);

    /// <summary>Reads the form's fields for the chosen kind and metric; field errors name the field at fault.</summary>
    public static (TaskScoringOptions Options, Dictionary<string, string> Errors) FromInput(TaskInput input, string? metric)
    {
        var errors = new Dictionary<string, string>();
        var options = new TaskScoringOptions();
        if (input.Family != TaskFamily.Predictions)
        {
            return (options, errors);
        }
        if (input.Kind == TaskKind.Ranking)
        {
            if (input.TopK is < 1 or > 1000)
            {
                errors[nameof(input.TopK)] = "k must be between 1 and 1000.";
            }
            options = options with { TopK = input.TopK };
        }
        if (input.Kind == TaskKind.BinaryProbability)
        {
            if (!double.IsFinite(input.Threshold) || input.Threshold is <= 0 or >= 1)
            {
                errors[nameof(input.Threshold)] = "The threshold must lie strictly between 0 and 1.";
            }
            options = options with { Threshold = input.Threshold, PositiveClass = string.IsNullOrWhiteSpace(input.PositiveClass) ? null : input.PositiveClass.Trim() };
        }
        if (metric == "f_beta")
        {
            if (!double.IsFinite(input.Beta) || input.Beta <= 0)
            {
                errors[nameof(input.Beta)] = "β must be a positive number (1 weighs precision and recall equally).";
            }
            options = options with { Beta = input.Beta };
        }
        if (input.Kind == TaskKind.Mask)
        {
            if (!TaskOptionText.TryParseImageSize(input.ImageSize, out var width, out var height))
            {
                errors[nameof(input.ImageSize)] = "Give the masks' image size as WIDTHxHEIGHT in pixels, e.g. 1600x256: run-length encodings number that image's pixels.";
            }
            options = options with { ImageWidth = width, ImageHeight = height };
        }
        if (metric is "hierarchical_f1" or "accuracy_at_depth")
        {
            var parents = TaskOptionText.ParseClassParents(input.ClassParents, out var problem);
            if (problem is not null || parents is null || parents.Count == 0)
            {
                errors[nameof(input.ClassParents)] = problem ?? "Give each class its parent, one child=parent pair per line, e.g. Calanus=Copepoda.";
            }
            else if (Taxonomy.Build([.. parents.Keys], parents, out var cycle) is null)
            {
                errors[nameof(input.ClassParents)] = cycle!;
            }
            if (input.Depth is < 1 or > 100)
            {
                errors[nameof(input.Depth)] = "The depth must be between 1 (the roots) and 100.";
            }
            options = options with { ClassParents = parents, Depth = input.Depth };
        }
        return (options, errors);
    }

    /// <summary>The form's text for these options, the inverse of <see cref="FromInput"/>.</summary>
    public void CopyTo(TaskInput input)
    {
        input.TopK = TopK ?? input.TopK;
        input.Threshold = Threshold ?? input.Threshold;
        input.PositiveClass = PositiveClass ?? "";
        input.Beta = Beta ?? input.Beta;
        input.ImageSize = ImageWidth is { } w && ImageHeight is { } h ? $"{w}x{h}" : "";
        input.ClassParents = ClassParents is null ? "" : string.Join("\n", ClassParents.Select(p => $"{p.Key}={p.Value}"));
        input.Depth = Depth ?? input.Depth;
    }
}
