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

    /// <summary>k of <c>top_k_accuracy</c>.</summary>
    public int TopK { get; init; } = 5;
}
