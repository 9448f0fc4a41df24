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

    // JSON object class -> weight, for weighted_accuracy.
    public string? ClassWeightsJson { get; set; }

    public long MaxSubmissionBytes { get; set; } = 64L << 20;
    public bool BootstrapEnabled { get; set; }

    public long? SolutionFileId { get; set; }
    public int SolutionVersion { get; set; }
    public int SolutionRows { get; set; }
    public DateTime? SolutionUploadedAtUtc { get; set; }
}
