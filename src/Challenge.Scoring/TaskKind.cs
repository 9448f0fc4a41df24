namespace Challenge.Scoring;

/// <summary>What a submission predicts for each Id.</summary>
public enum TaskKind
{
    /// <summary>One class name per row: <c>Id,Category</c>.</summary>
    Label,

    /// <summary>One probability per class per row: <c>Id,class1,…,classN</c> (the plankton format).</summary>
    Probability,

    /// <summary>Zero or more space-separated class names per row.</summary>
    MultiLabel,

    /// <summary>One number per row.</summary>
    Regression,
}
