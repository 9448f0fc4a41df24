using System.Globalization;
using System.Text.RegularExpressions;
using Challenge.Scoring;

namespace Challenge.Core.Tasks;

/// <summary>
/// A task's settings as text and numbers, for the organizer API and the challenge bundle: every
/// field is optional, and only those given change the task (a new task starts from the form's
/// defaults). Families and kinds are written in snake case ("binary_probability"); the spellings the
/// API has always printed ("binaryprobability") are read too.
/// </summary>
public sealed record TaskSettings
{
    public string? Slug { get; init; }
    public string? Title { get; init; }
    public string? Family { get; init; }
    public string? Kind { get; init; }
    public string? Metric { get; init; }
    public string? IdColumn { get; init; }
    public string? TargetColumn { get; init; }
    public double? PublicShare { get; init; }
    public int? Seed { get; init; }

    /// <summary>The declared classes in their order; none takes them from the solution.</summary>
    public List<string>? Classes { get; init; }
    public Dictionary<string, double>? ClassWeights { get; init; }
    public bool? Bootstrap { get; init; }

    /// <summary>The Ladder on the public board: off, margin (with <see cref="LadderMargin"/>) or parameter_free.</summary>
    public string? Ladder { get; init; }

    /// <summary>The Ladder's fixed margin in the metric's units; given alone, it turns the margin rule on.</summary>
    public double? LadderMargin { get; init; }
    public int? MaxSubmissionMb { get; init; }
    public string? RankingFormula { get; init; }
    public int? TopK { get; init; }
    public string? PositiveClass { get; init; }
    public double? Threshold { get; init; }
    public double? Beta { get; init; }
    public string? ImageSize { get; init; }
    public Dictionary<string, string>? ClassParents { get; init; }
    public int? Depth { get; init; }

    /// <summary>Everything the task stores, so that applying the result to a new task makes an equal one.</summary>
    public static TaskSettings From(CompetitionTask task)
    {
        var options = TaskScoringOptions.Read(task.ScoringOptionsJson);
        return new TaskSettings
        {
            Slug = task.Slug,
            Title = task.Title,
            Family = Name(task.Family),
            Kind = Name(task.Kind),
            Metric = task.Metric,
            IdColumn = task.IdColumn,
            TargetColumn = task.TargetColumn,
            PublicShare = task.PublicFraction,
            Seed = task.SplitSeed,
            Classes = TaskDefinitions.ParseClassesJson(task.ClassesJson)?.ToList(),
            ClassWeights = TaskDefinitions.ParseWeightsJson(task.ClassWeightsJson) is { } weights ? new Dictionary<string, double>(weights, StringComparer.Ordinal) : null,
            Bootstrap = task.BootstrapEnabled,
            Ladder = Name(task.LadderRule),
            LadderMargin = task.LadderMargin,
            MaxSubmissionMb = (int)(task.MaxSubmissionBytes >> 20),
            RankingFormula = task.RankingFormula,
            TopK = options.TopK,
            PositiveClass = options.PositiveClass,
            Threshold = options.Threshold,
            Beta = options.Beta,
            ImageSize = options.ImageWidth is { } w && options.ImageHeight is { } h ? $"{w}x{h}" : null,
            ClassParents = options.ClassParents,
            Depth = options.Depth,
        };
    }

    /// <summary>
    /// Writes the given fields onto <paramref name="input"/>; the errors (keyed by <see cref="TaskInput"/>
    /// property, as <see cref="TaskService.Validate"/> keys them) name a family or kind that does not exist.
    /// </summary>
    public Dictionary<string, string> ApplyTo(TaskInput input)
    {
        var errors = new Dictionary<string, string>();
        if (Slug is not null) input.Slug = Slug;
        if (Title is not null) input.Title = Title;
        if (Family is not null)
        {
            if (TryParse<TaskFamily>(Family, out var family)) input.Family = family;
            else errors[nameof(TaskInput.Family)] = $"Unknown family '{Family}': use {string.Join(", ", Enum.GetValues<TaskFamily>().Select(f => Name(f)))}.";
        }
        if (Kind is not null)
        {
            if (TryParse<TaskKind>(Kind, out var kind)) input.Kind = kind;
            else errors[nameof(TaskInput.Kind)] = $"Unknown kind '{Kind}': use {string.Join(", ", Enum.GetValues<TaskKind>().Select(k => Name(k)))}.";
        }
        if (Metric is not null) input.Metric = Metric;
        if (IdColumn is not null) input.IdColumn = IdColumn;
        if (TargetColumn is not null) input.TargetColumn = TargetColumn;
        if (PublicShare is { } share) input.PublicFraction = share;
        if (Seed is { } seed) input.SplitSeed = seed;
        if (Classes is not null) input.Classes = string.Join("\n", Classes);
        if (ClassWeights is not null) input.ClassWeights = string.Join(", ", ClassWeights.Select(w => $"{w.Key}={w.Value.ToString("R", CultureInfo.InvariantCulture)}"));
        if (Bootstrap is { } bootstrap) input.BootstrapEnabled = bootstrap;
        if (LadderMargin is { } ladderMargin)
        {
            input.LadderMargin = ladderMargin;
            input.Ladder = LadderRule.Margin;
        }
        if (Ladder is not null)
        {
            if (TryParse<LadderRule>(Ladder, out var ladder)) input.Ladder = ladder;
            else errors[nameof(TaskInput.Ladder)] = $"Unknown Ladder rule '{Ladder}': use {string.Join(", ", Enum.GetValues<LadderRule>().Select(r => Name(r)))}.";
        }
        if (MaxSubmissionMb is { } megabytes) input.MaxSubmissionMegabytes = megabytes;
        if (RankingFormula is not null) input.RankingFormula = RankingFormula;
        if (TopK is { } topK) input.TopK = topK;
        if (PositiveClass is not null) input.PositiveClass = PositiveClass;
        if (Threshold is { } threshold) input.Threshold = threshold;
        if (Beta is { } beta) input.Beta = beta;
        if (ImageSize is not null) input.ImageSize = ImageSize;
        if (ClassParents is not null) input.ClassParents = string.Join("\n", ClassParents.Select(p => $"{p.Key}={p.Value}"));
        if (Depth is { } depth) input.Depth = depth;
        return errors;
    }

    /// <summary>The name of a <see cref="TaskInput"/> field in these settings, for errors that name it.</summary>
    public static string FieldName(string inputField) => inputField switch
    {
        nameof(TaskInput.PublicFraction) => "publicShare",
        nameof(TaskInput.SplitSeed) => "seed",
        nameof(TaskInput.BootstrapEnabled) => "bootstrap",
        nameof(TaskInput.MaxSubmissionMegabytes) => "maxSubmissionMb",
        "" => "",
        _ => char.ToLowerInvariant(inputField[0]) + inputField[1..],
    };

    public static string Name<TEnum>(TEnum value) where TEnum : struct, Enum =>
        Regex.Replace(value.ToString(), "(?<=[a-z])([A-Z])", "_$1").ToLowerInvariant();

    private static bool TryParse<TEnum>(string text, out TEnum value) where TEnum : struct, Enum =>
        Enum.TryParse(text.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out value)
        && Enum.IsDefined(value) && !text.Trim().All(char.IsDigit);
}
