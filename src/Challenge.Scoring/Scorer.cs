using System.Numerics;
using Challenge.Scoring.Metrics;

namespace Challenge.Scoring;

/// <summary>Turns a validated submission into scores.</summary>
public static class Scorer
{
    /// <summary>Scores with the task's metric, or with <paramref name="metricName"/> when given (it must apply to the task's kind).</summary>
    public static ScoreResult Score(Submission submission, string? metricName = null)
    {
        var solution = submission.Solution;
        var metric = ResolveMetric(solution, metricName);
        return Score(submission, metric);
    }

    /// <summary>
    /// Scores with a given metric. A metric that throws has met data it cannot handle; its message
    /// may quote the solution, so it travels only inside a <see cref="ScoringFailedException"/>
    /// whose team message is neutral.
    /// </summary>
    internal static ScoreResult Score(Submission submission, Metric metric)
    {
        var solution = submission.Solution;
        PartValues values;
        try
        {
            values = metric.EvaluateParts(submission);
        }
        catch (Exception exception) when (exception is not OperationCanceledException and not OutOfMemoryException)
        {
            throw new ScoringFailedException(metric.Info.Name, exception);
        }
        return new ScoreResult(
            metric.Info.Name,
            metric.Info.HigherIsBetter,
            Defined(values.Public),
            Defined(values.Private),
            Defined(values.Overall),
            solution.PublicRowCount,
            solution.PrivateRowCount,
            solution.IgnoredRowCount,
            submission.SubmittedRows,
            ScorerVersion.Current,
            BuildDetail(submission));
    }

    internal static Metric ResolveMetric(Solution solution, string? metricName)
    {
        string name = metricName ?? solution.Task.Metric;
        var info = MetricCatalog.Find(name) ?? throw new ArgumentException($"Unknown metric '{name}'.", nameof(metricName));
        if (!info.TaskKinds.Contains(solution.Kind))
        {
            throw new ArgumentException($"Metric '{info.Name}' does not apply to {solution.Kind} tasks.", nameof(metricName));
        }
        if (info.Name == "weighted_accuracy" && solution.ClassWeights is null)
        {
            throw new ArgumentException("weighted_accuracy needs class weights in the task definition.", nameof(metricName));
        }
        if (info.Name is "hierarchical_f1" or "accuracy_at_depth" && solution.Taxonomy is null)
        {
            throw new ArgumentException($"{info.Name} needs the class parents in the task definition.", nameof(metricName));
        }
        return MetricCatalog.Create(info.Name);
    }

    private static double? Defined(double value) => double.IsNaN(value) ? null : value;

    private static ClassDetail? BuildDetail(Submission submission)
    {
        var solution = submission.Solution;
        switch (solution.Kind)
        {
            case TaskKind.Label or TaskKind.Probability or TaskKind.BinaryProbability:
                var (publicMatrix, privateMatrix) = ConfusionMatrix.ForParts(submission);
                var matrix = publicMatrix.Plus(privateMatrix);
                var perClass = ClassStats.From(matrix)
                    .Select((s, k) => new ClassMetrics(solution.Classes[k], s.Support, s.Predicted, s.TruePositives, s.Precision, s.Recall, s.F1))
                    .ToArray();
                return new ClassDetail(solution.Classes, matrix.ToJagged(), perClass);
            case TaskKind.MultiLabel:
                return new ClassDetail(solution.Classes, null, MultiLabelPerClass(submission));
            default:
                return null;
        }
    }

    private static ClassMetrics[] MultiLabelPerClass(Submission submission)
    {
        var solution = submission.Solution;
        int classes = solution.ClassSet.Count;
        int words = solution.LabelWords;
        var support = new long[classes];
        var predicted = new long[classes];
        var truePositives = new long[classes];
        var truth = solution.TruthLabels!;
        var guesses = submission.PredictedLabels!;
        for (int row = 0; row < solution.RowCount; row++)
        {
            if (solution.Usage[row] == RowUsage.Ignored)
            {
                continue;
            }
            for (int w = 0; w < words; w++)
            {
                ulong t = truth[row * words + w];
                ulong p = guesses[row * words + w];
                Count(t, support, w);
                Count(p, predicted, w);
                Count(t & p, truePositives, w);
            }
        }
        return Enumerable.Range(0, classes).Select(k =>
        {
            double precision = predicted[k] == 0 ? 0 : truePositives[k] / (double)predicted[k];
            double recall = support[k] == 0 ? 0 : truePositives[k] / (double)support[k];
            return new ClassMetrics(solution.Classes[k], support[k], predicted[k], truePositives[k], precision, recall, ClassStats.F1Of(precision, recall));
        }).ToArray();
    }

    private static void Count(ulong bits, long[] counts, int word)
    {
        while (bits != 0)
        {
            counts[word * 64 + BitOperations.TrailingZeroCount(bits)]++;
            bits &= bits - 1;
        }
    }
}
