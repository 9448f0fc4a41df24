using Challenge.Scoring.Csv;

namespace Challenge.Scoring;

/// <summary>
/// The organizer's hidden answers, read and validated once, then reused to score any number of
/// submissions. Immutable after loading, so one instance can be shared between threads.
/// </summary>
public sealed class Solution
{
    private readonly Lazy<int[]>[] _rowsByPart;

    internal Solution(
        TaskDefinition task,
        IdIndex ids,
        ClassSet classes,
        RowUsage[] usage,
        bool hasUsageColumn,
        int[]? truthClass,
        ulong[]? truthLabels,
        double[]? truthValues,
        double[]? classWeights)
    {
        Task = task;
        Ids = ids;
        ClassSet = classes;
        Usage = usage;
        HasUsageColumn = hasUsageColumn;
        TruthClass = truthClass;
        TruthLabels = truthLabels;
        LabelWords = (classes.Count + 63) / 64;
        TruthValues = truthValues;
        ClassWeights = classWeights;
        PublicRowCount = usage.Count(u => u == RowUsage.Public);
        PrivateRowCount = usage.Count(u => u == RowUsage.Private);
        IgnoredRowCount = usage.Length - PublicRowCount - PrivateRowCount;
        _rowsByPart =
        [
            new Lazy<int[]>(() => SelectRows(u => u == RowUsage.Public)),
            new Lazy<int[]>(() => SelectRows(u => u == RowUsage.Private)),
            new Lazy<int[]>(() => SelectRows(u => u != RowUsage.Ignored)),
        ];
    }

    public TaskDefinition Task { get; }

    public TaskKind Kind => Task.Kind;

    /// <summary>The classes in the task's order; empty for regression, ranking and mask tasks. Binary tasks: negative, then positive.</summary>
    public IReadOnlyList<string> Classes => ClassSet.Names;

    public int RowCount => Ids.Count;

    public int PublicRowCount { get; }

    public int PrivateRowCount { get; }

    public int IgnoredRowCount { get; }

    /// <summary>True when the split came from the file's Usage column rather than the seeded split.</summary>
    public bool HasUsageColumn { get; }

    internal IdIndex Ids { get; }

    internal ClassSet ClassSet { get; }

    internal RowUsage[] Usage { get; }

    /// <summary>True class per row (label and probability tasks).</summary>
    internal int[]? TruthClass { get; }

    /// <summary>True label set per row as <see cref="LabelWords"/> 64-bit words (multi-label tasks).</summary>
    internal ulong[]? TruthLabels { get; }

    internal int LabelWords { get; }

    /// <summary>True value per row (regression tasks).</summary>
    internal double[]? TruthValues { get; }

    /// <summary>Weight per class for weighted accuracy, when configured.</summary>
    internal double[]? ClassWeights { get; }

    /// <summary>Ranking tasks: the relevant items of each row, as indexes into <see cref="Items"/>, without repeats.</summary>
    internal Ragged? TruthItems { get; init; }

    /// <summary>Ranking tasks: every item named in the solution, so submitted items are looked up without strings.</summary>
    internal ByteKeyTable? Items { get; init; }

    /// <summary>Mask tasks: each row's mask as sorted, disjoint runs (0-based start, length pairs).</summary>
    internal Ragged? TruthRuns { get; init; }

    /// <summary>The task's class taxonomy, when it declares parents.</summary>
    internal Taxonomy? Taxonomy { get; init; }

    /// <summary>Reads and validates a solution file. Never throws for bad content or configuration: problems come back in the report.</summary>
    public static ValidationOutcome<Solution> Load(Stream stream, TaskDefinition task) => SolutionReader.Read(stream, task);

    /// <summary>Reads a submission against this solution: every row checked, predictions aligned to solution rows.</summary>
    public ValidationOutcome<Submission> ReadSubmission(Stream stream) => SubmissionReader.Read(this, stream);

    /// <summary>Validates and scores a submission with the task's metric in one call.</summary>
    public ValidationOutcome<ScoreResult> Score(Stream submission)
    {
        var read = ReadSubmission(submission);
        return read.Value is { } parsed
            ? ValidationOutcome<ScoreResult>.Accepted(Scorer.Score(parsed))
            : ValidationOutcome<ScoreResult>.Rejected(read.Report);
    }

    /// <summary>Writes a valid submission with every Id and a neutral prediction, for participants to start from.</summary>
    public void WriteSampleSubmission(Stream output) => SampleSubmission.Write(this, output);

    public string GetId(int row) => Ids.GetId(row);

    internal ReadOnlySpan<int> RowsOf(ScorePart part) => _rowsByPart[(int)part].Value;

    private int[] SelectRows(Func<RowUsage, bool> include)
    {
        var rows = new List<int>();
        for (int row = 0; row < Usage.Length; row++)
        {
            if (include(Usage[row]))
            {
                rows.Add(row);
            }
        }
        return rows.ToArray();
    }
}
