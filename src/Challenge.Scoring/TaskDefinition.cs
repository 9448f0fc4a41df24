namespace Challenge.Scoring;

/// <summary>How a competition's files look and how they are scored.</summary>
public sealed record TaskDefinition
{
    public const long DefaultMaxFileBytes = 512L << 20;

    public TaskKind Kind { get; init; } = TaskKind.Label;

    /// <summary>A name from <see cref="Metrics.MetricCatalog"/>, such as <c>accuracy</c> or <c>log_loss</c>.</summary>
    public string Metric { get; init; } = "accuracy";

    /// <summary>Header of the Id column; headers match case-insensitively.</summary>
    public string IdColumn { get; init; } = "Id";

    /// <summary>Header of the prediction column for label, multi-label and regression tasks.</summary>
    public string TargetColumn { get; init; } = "Category";

    /// <summary>Header of the optional solution column holding Public, Private or Ignored.</summary>
    public string UsageColumn { get; init; } = "Usage";

    /// <summary>
    /// The classes, in the organizer's order (the order matters for quadratic weighted kappa and
    /// for the probability columns of the sample submission). When null, the classes found in the
    /// solution are used, sorted numerically if they are all numbers, otherwise ordinally.
    /// </summary>
    public IReadOnlyList<string>? Classes { get; init; }

    /// <summary>Weight of each true class for <c>weighted_accuracy</c>; every class needs one.</summary>
    public IReadOnlyDictionary<string, double>? ClassWeights { get; init; }

    /// <summary>Share of rows on the public leaderboard when the solution has no Usage column.</summary>
    public double PublicFraction { get; init; } = 0.3;

    /// <summary>Seed of the public/private split when the solution has no Usage column.</summary>
    public int Seed { get; init; }

    /// <summary>Files larger than this are rejected without being read to the end.</summary>
    public long MaxFileBytes { get; init; } = DefaultMaxFileBytes;

    /// <summary>k of <c>top_k_accuracy</c> and of <c>map_at_k</c>.</summary>
    public int TopK { get; init; } = 5;

    /// <summary>
    /// Binary probability tasks: the class the probability is about. Null means "1" when the
    /// solution's targets are 0/1, otherwise the second of the two declared classes.
    /// </summary>
    public string? PositiveClass { get; init; }

    /// <summary>Binary probability tasks: a probability at or above this counts as predicting the positive class.</summary>
    public double Threshold { get; init; } = 0.5;

    /// <summary>β of <c>f_beta</c>: recall weighs β times as much as precision.</summary>
    public double Beta { get; init; } = 1;

    /// <summary>Mask tasks: image width in pixels (every image of the task has the same size).</summary>
    public int ImageWidth { get; init; }

    /// <summary>Mask tasks: image height in pixels.</summary>
    public int ImageHeight { get; init; }

    /// <summary>
    /// Taxonomy of the classes: the parent of each class or inner taxon (a genus, a family...).
    /// A name without an entry is a root. Needed by <c>hierarchical_f1</c> and <c>accuracy_at_depth</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string>? ClassParents { get; init; }

    /// <summary>Depth compared by <c>accuracy_at_depth</c>: 1 is the roots of the taxonomy.</summary>
    public int Depth { get; init; } = 1;
}
