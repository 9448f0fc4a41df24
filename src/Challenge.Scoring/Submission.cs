namespace Challenge.Scoring;

/// <summary>
/// A validated submission, its predictions aligned with the rows of its <see cref="Solution"/>.
/// Kept after scoring when a bootstrap interval or a paired comparison is wanted.
/// </summary>
public sealed class Submission
{
    internal Submission(Solution solution, int submittedRows, int[]? predictedClass, double[]? probabilities, ulong[]? predictedLabels, double[]? predictedValues)
    {
        Solution = solution;
        SubmittedRows = submittedRows;
        PredictedClass = predictedClass;
        Probabilities = probabilities;
        PredictedLabels = predictedLabels;
        PredictedValues = predictedValues;
    }

    public Solution Solution { get; }

    /// <summary>Data rows in the file (equal to the solution's row count once valid).</summary>
    public int SubmittedRows { get; }

    /// <summary>Predicted class per solution row; for probability files, the first class with the highest probability.</summary>
    internal int[]? PredictedClass { get; }

    /// <summary>
    /// One row of <c>Classes.Count</c> values per solution row: row-normalised for probability
    /// tasks, (1 - p, p) for binary tasks, as submitted for multi-label probability tasks.
    /// </summary>
    internal double[]? Probabilities { get; }

    internal ulong[]? PredictedLabels { get; }

    internal double[]? PredictedValues { get; }

    /// <summary>Ranking tasks: the first k submitted items of each row, in rank order; -1 for an item the solution never names.</summary>
    internal Ragged? PredictedItems { get; init; }

    /// <summary>Mask tasks: each row's mask as sorted, disjoint runs (0-based start, length pairs).</summary>
    internal Ragged? PredictedRuns { get; init; }
}
