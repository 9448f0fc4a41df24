namespace Challenge.Scoring.Metrics;

/// <summary>
/// F-beta as scikit-learn's fbeta_score with zero_division=0: (1 + β²)·P·R / (β²·P + R) per class.
/// Binary probability tasks score the positive class only (average="binary"); label and
/// probability tasks average over the classes present in the truth or the predictions
/// (average="macro"). β comes from the task (<see cref="TaskDefinition.Beta"/>).
/// </summary>
internal sealed class FBetaMetric(MetricInfo info, bool f1OfPositiveClass) : ConfusionMetric(info)
{
    public override double Compute(ConfusionMatrix matrix, Solution solution)
    {
        double beta2 = f1OfPositiveClass ? 1 : solution.Task.Beta * solution.Task.Beta;
        var stats = ClassStats.From(matrix);
        if (f1OfPositiveClass || solution.Kind == TaskKind.BinaryProbability)
        {
            return FBeta(stats[1], beta2);
        }
        double sum = 0;
        int present = 0;
        foreach (var s in stats)
        {
            if (s.Present)
            {
                sum += FBeta(s, beta2);
                present++;
            }
        }
        return sum / present;
    }

    private static double FBeta(ClassStats s, double beta2)
    {
        double denominator = beta2 * s.Precision + s.Recall;
        return denominator == 0 ? 0 : (1 + beta2) * s.Precision * s.Recall / denominator;
    }
}

/// <summary>
/// Normalised Gini coefficient, 2·AUC − 1, the form Kaggle's binary competitions (Porto Seguro)
/// use: it equals the Gini of the predictions divided by the Gini of a perfect ranking.
/// </summary>
internal sealed class GiniMetric(MetricInfo info) : Metric(info)
{
    private readonly RocAucMetric _auc = new(info);

    private static double FromAuc(double auc) => 2 * auc - 1;

    public override double Evaluate(Submission submission, ReadOnlySpan<int> rows) => FromAuc(_auc.Evaluate(submission, rows));

    public override PartValues EvaluateParts(Submission submission)
    {
        var auc = _auc.EvaluateParts(submission);
        return new PartValues(FromAuc(auc.Public), FromAuc(auc.Private), FromAuc(auc.Overall));
    }

    public override IResampledMetric Resampled(Submission submission, int[] rows) => new Transformed(_auc.Resampled(submission, rows));

    private sealed class Transformed(IResampledMetric auc) : IResampledMetric
    {
        public double Evaluate(ReadOnlySpan<int> counts) => FromAuc(auc.Evaluate(counts));
    }
}

/// <summary>Area under the ROC curve of one score column, by the Mann-Whitney statistic with average ranks for ties.</summary>
internal static class BinaryAuc
{
    /// <summary>NaN when the rows hold only positives or only negatives (scikit-learn raises there).</summary>
    public static double Compute(double[] scores, bool[] positive)
    {
        long positives = positive.Count(p => p);
        long negatives = positive.Length - positives;
        if (positives == 0 || negatives == 0)
        {
            return double.NaN;
        }
        Array.Sort(scores, positive);
        double positiveRankSum = 0;
        for (int start = 0; start < scores.Length;)
        {
            int end = start + 1;
            while (end < scores.Length && scores[end] == scores[start])
            {
                end++;
            }
            long positivesInTie = 0;
            for (int i = start; i < end; i++)
            {
                positivesInTie += positive[i] ? 1 : 0;
            }
            positiveRankSum += (start + 1 + end) / 2.0 * positivesInTie;
            start = end;
        }
        double u = positiveRankSum - positives * (positives + 1) / 2.0;
        return u / ((double)positives * negatives);
    }
}

/// <summary>
/// Mean column-wise ROC AUC for multi-label probabilities (Kaggle's Toxic Comment and similar):
/// the ROC AUC of each class's column against that class's 0/1 truth, averaged over the
/// classes. A class with no positive or no negative row in the scored part has no AUC and is
/// left out of the mean (scikit-learn raises an error there instead).
/// </summary>
internal sealed class MeanColumnwiseAucMetric(MetricInfo info) : Metric(info)
{
    public override double Evaluate(Submission submission, ReadOnlySpan<int> rows)
    {
        var solution = submission.Solution;
        int classes = solution.ClassSet.Count;
        int words = solution.LabelWords;
        var truth = solution.TruthLabels!;
        var probabilities = submission.Probabilities!;
        double sum = 0;
        int defined = 0;
        for (int k = 0; k < classes; k++)
        {
            var scores = new double[rows.Length];
            var positive = new bool[rows.Length];
            for (int i = 0; i < rows.Length; i++)
            {
                int row = rows[i];
                scores[i] = probabilities[(long)row * classes + k];
                positive[i] = (truth[row * words + (k >> 6)] & (1UL << (k & 63))) != 0;
            }
            double auc = BinaryAuc.Compute(scores, positive);
            if (!double.IsNaN(auc))
            {
                sum += auc;
                defined++;
            }
        }
        return defined == 0 ? double.NaN : sum / defined;
    }
}
