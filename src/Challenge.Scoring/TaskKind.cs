namespace Challenge.Scoring;

/// <summary>What a submission predicts for each Id. New kinds are added at the end: the value is stored.</summary>
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

    /// <summary>
    /// Kaggle's most common binary format: the solution's target is 0/1 (or one of two declared
    /// classes, <see cref="TaskDefinition.PositiveClass"/> being the positive one) and the
    /// submission has one probability column, <c>Id,target</c>, with a number in [0, 1].
    /// </summary>
    BinaryProbability,

    /// <summary>
    /// A space-separated ranked list of item names per row (recommendation competitions); the
    /// solution lists the relevant items of each row, in any order.
    /// </summary>
    Ranking,

    /// <summary>
    /// One independent probability per class per row, <c>Id,class1,…,classN</c>, each in [0, 1]
    /// (multi-label, such as toxic-comment tags); the solution has one 0/1 column per class or
    /// a space-separated label set.
    /// </summary>
    MultiLabelProbability,

    /// <summary>
    /// A run-length-encoded segmentation mask per row (Kaggle's RLE: 1-based start and length
    /// pairs over the pixels numbered column by column); image size from the task.
    /// </summary>
    Mask,
}
