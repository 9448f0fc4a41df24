using Challenge.Scoring;

namespace Challenge.Core.Tasks;

// One scored problem inside a challenge (the underwater images have two: floor type and visible
// element). Named CompetitionTask because Task is the framework's.
public sealed class CompetitionTask
{
    public int Id { get; set; }
    public int CompetitionId { get; set; }
    public required string Slug { get; set; }
    public required string Title { get; set; }
    public int SortOrder { get; set; }
    public TaskKind Kind { get; set; } = TaskKind.Label;
    public string Metric { get; set; } = "accuracy";
    public string IdColumn { get; set; } = "Id";
    public string TargetColumn { get; set; } = "Category";
    public double PublicFraction { get; set; } = 0.3;
    public int SplitSeed { get; set; }

    // JSON array of the class names in the organizer's order. When set, the solution is checked
    // against it and submissions use exactly these classes, whichever of them the hidden rows hold.
    public string? ClassesJson { get; set; }

    // JSON object class -> weight, for weighted_accuracy.
    public string? ClassWeightsJson { get; set; }

    // JSON of TaskScoringOptions: the settings only some kinds and metrics read (k, threshold, β, image size, taxonomy).
    public string? ScoringOptionsJson { get; set; }

    public long MaxSubmissionBytes { get; set; } = 64L << 20;
    public bool BootstrapEnabled { get; set; }

    // Resamples of the paired bootstrap behind the boards' rank intervals (shown with the bootstrap intervals).
    public int RankResamples { get; set; } = 1000;

    // The Ladder (Blum and Hardt 2015) on the public board: a team's shown score moves only when a
    // new score beats it by more than this margin. Null: off. Private scores are never affected.
    public double? LadderMargin { get; set; }

    // The parameter-free Ladder of the same paper instead (LadderMargin is then null): the step is the
    // standard error of the per-row differences between the new submission and the team's shown best.
    public bool LadderParameterFree { get; set; }

    public LadderRule LadderRule => LadderParameterFree ? LadderRule.ParameterFree : LadderMargin is null ? LadderRule.Off : LadderRule.Margin;

    public long? SolutionFileId { get; set; }
    public int SolutionVersion { get; set; }
    public int SolutionRows { get; set; }
    public DateTime? SolutionUploadedAtUtc { get; set; }

    // Annotation and detection tasks score uploaded annotation exports against gold boxes or image
    // classes instead of a CSV; their gold set is the solution file above, matched to the images below.
    public TaskFamily Family { get; set; } = TaskFamily.Predictions;
    public long? ImagesFileId { get; set; }
    public int ImageCount { get; set; }
    public long? PreAnnotationsFileId { get; set; }

    // The organizer's ranking formula over coverage and quality, e.g. "70 * labelled / max_labelled + 30 * honeypot_accuracy".
    public string? RankingFormula { get; set; }
}

public enum TaskFamily
{
    // CSV predictions scored by Challenge.Scoring.
    Predictions,

    // Teams label the images; scored by annotation quality, honeypot accuracy, coverage or a ranking formula.
    Annotation,

    // Teams submit model detections with confidences; scored by COCO AP or VOC AP50.
    Detection,
}

// How the public board guards against overfitting by repeated probing (Blum and Hardt 2015).
public enum LadderRule
{
    // Every new public score is shown.
    Off,

    // A fixed margin set by the organizer.
    Margin,

    // The parameter-free rule: the margin is the standard error of the improvement on the public rows.
    ParameterFree,
}
