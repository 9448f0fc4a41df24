using Challenge.Scoring;

namespace Challenge.Core.Tasks;

public sealed class TaskInput
{
    public string Slug { get; set; } = "";
    public string Title { get; set; } = "";
    public TaskKind Kind { get; set; } = TaskKind.Label;
    public string Metric { get; set; } = "accuracy";
    public string IdColumn { get; set; } = "Id";
    public string TargetColumn { get; set; } = "Category";
    public double PublicFraction { get; set; } = 0.3;
    public int SplitSeed { get; set; }

    // The declared classes, one per line or separated by commas; empty takes them from the solution.
    public string Classes { get; set; } = "";

    // One "class=weight" per line or comma; only weighted_accuracy uses it.
    public string ClassWeights { get; set; } = "";
    public bool BootstrapEnabled { get; set; }
    public int RankResamples { get; set; } = 1000;
    public LadderRule Ladder { get; set; }

    // Read only with LadderRule.Margin.
    public double? LadderMargin { get; set; }
    public int MaxSubmissionMegabytes { get; set; } = 64;
    public TaskFamily Family { get; set; } = TaskFamily.Predictions;

    // Annotation tasks only; empty ranks by the metric.
    public string RankingFormula { get; set; } = "";

    // Read only where the kind or metric needs them (TaskScoringOptions.FromInput).
    public int TopK { get; set; } = 5;
    public string PositiveClass { get; set; } = "";
    public double Threshold { get; set; } = 0.5;
    public double Beta { get; set; } = 1;
    public string ImageSize { get; set; } = "";
    public string ClassParents { get; set; } = "";
    public int Depth { get; set; } = 1;

    /// <summary>The form's fields for a stored task: saving them unchanged leaves the task as it is.</summary>
    public static TaskInput From(CompetitionTask task)
    {
        var input = new TaskInput
        {
            Slug = task.Slug, Title = task.Title, Kind = task.Kind, Metric = task.Metric, IdColumn = task.IdColumn, TargetColumn = task.TargetColumn,
            PublicFraction = task.PublicFraction, SplitSeed = task.SplitSeed, Classes = TaskDefinitions.FormatClasses(task.ClassesJson), ClassWeights = TaskDefinitions.FormatWeights(task.ClassWeightsJson),
            BootstrapEnabled = task.BootstrapEnabled, RankResamples = task.RankResamples, Ladder = task.LadderRule, LadderMargin = task.LadderMargin, MaxSubmissionMegabytes = (int)(task.MaxSubmissionBytes >> 20),
            Family = task.Family, RankingFormula = task.RankingFormula ?? "",
        };
        TaskScoringOptions.Read(task.ScoringOptionsJson).CopyTo(input);
        return input;
    }
}
