namespace Challenge.Scoring.Metrics;

/// <summary>
/// Multi-class log loss with Kaggle's rule. Order of operations, per row: (1) divide every
/// probability by the row's sum (done once when the file is read); (2) clip the true class's
/// probability to [1e-15, 1 - 1e-15]; (3) take -ln of it. The score is the mean over rows.
/// scikit-learn 1.2 clips first and renormalises after; on normalised input the two differ by
/// at most about 1e-13, far below the 1e-6 the tests allow. A single-probability (binary)
/// submission follows scikit-learn's binary path: clip p, then score p or 1 - p.
/// </summary>
internal sealed class LogLossMetric(MetricInfo info) : RowMeanMetric(info)
{
    public const double Epsilon = 1e-15;

    protected override double RowValue(Submission submission, int row)
    {
        int classes = submission.Solution.ClassSet.Count;
        int truth = submission.Solution.TruthClass![row];
        if (submission.Solution.Kind == TaskKind.BinaryProbability)
        {
            // scikit-learn clips the single submitted probability, then takes 1 - p for a negative
            // row: a submitted 1 on a negative row costs -ln(1 - (1 - 1e-15)), not -ln(1e-15).
            double positive = Math.Clamp(submission.Probabilities![2 * row + 1], Epsilon, 1 - Epsilon);
            return -Math.Log(truth == 1 ? positive : 1 - positive);
        }
        double p = submission.Probabilities![row * classes + truth];
        return -Math.Log(Math.Clamp(p, Epsilon, 1 - Epsilon));
    }
}

/// <summary>
/// Brier score on normalised probabilities. Two classes: scikit-learn's brier_score_loss on the
/// second class's probability. More classes: Brier's original multi-class form, the mean over
/// rows of the sum over classes of (p - truth)^2 (what scikit-learn 1.7 computes for multi-class).
/// </summary>
internal sealed class BrierMetric(MetricInfo info) : RowMeanMetric(info)
{
    protected override double RowValue(Submission submission, int row)
    {
        int classes = submission.Solution.ClassSet.Count;
        int truth = submission.Solution.TruthClass![row];
        var p = submission.Probabilities.AsSpan(row * classes, classes);
        if (classes == 2)
        {
            double d = p[1] - (truth == 1 ? 1 : 0);
            return d * d;
        }
        double sum = 0;
        for (int k = 0; k < classes; k++)
        {
            double d = p[k] - (k == truth ? 1 : 0);
            sum += d * d;
        }
        return sum;
    }
}

/// <summary>
/// Share of rows whose true class is among the k most probable, as scikit-learn's
/// top_k_accuracy_score: among equal probabilities the later class ranks first (its stable
/// argsort, reversed). With two classes and k = 1 a row predicts the second class when its
/// probability is above 0.5, as scikit-learn does for binary input.
/// </summary>
internal sealed class TopKAccuracyMetric(MetricInfo info) : RowMeanMetric(info)
{
    protected override double RowValue(Submission submission, int row)
    {
        var solution = submission.Solution;
        int classes = solution.ClassSet.Count;
        int k = solution.Task.TopK;
        int truth = solution.TruthClass![row];
        var p = submission.Probabilities.AsSpan(row * classes, classes);
        if (k >= classes)
        {
            return 1;
        }
        if (classes == 2)
        {
            return (p[1] > 0.5 ? 1 : 0) == truth ? 1 : 0;
        }
        double own = p[truth];
        int ranksAbove = 0;
        for (int j = 0; j < classes; j++)
        {
            if (p[j] > own || (p[j] == own && j > truth))
            {
                ranksAbove++;
            }
        }
        return ranksAbove < k ? 1 : 0;
    }
}

/// <summary>
/// ROC AUC on normalised probabilities. Two classes: AUC of the second class. More classes: the
/// unweighted mean of one-vs-rest AUCs (scikit-learn's multi_class="ovr", average="macro").
/// A class with no positive or no negative row in the scored part has no AUC and is left out of
/// the mean (scikit-learn raises an error there instead).
/// </summary>
internal sealed class RocAucMetric(MetricInfo info) : Metric(info)
{
    public override double Evaluate(Submission submission, ReadOnlySpan<int> rows)
    {
        int classes = submission.Solution.ClassSet.Count;
        if (classes == 2)
        {
            return OneVersusRest(submission, rows, 1);
        }
        double sum = 0;
        int defined = 0;
        for (int k = 0; k < classes; k++)
        {
            double auc = OneVersusRest(submission, rows, k);
            if (!double.IsNaN(auc))
            {
                sum += auc;
                defined++;
            }
        }
        return defined == 0 ? double.NaN : sum / defined;
    }

    /// <summary>Sorts each class's scores once for all three parts, each part weighting its own rows by 1.</summary>
    public override PartValues EvaluateParts(Submission submission)
    {
        var solution = submission.Solution;
        var rows = solution.RowsOf(ScorePart.Overall).ToArray();
        var auc = Resampled(submission, rows);
        var publicRows = new int[rows.Length];
        var privateRows = new int[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            (solution.Usage[rows[i]] == RowUsage.Public ? publicRows : privateRows)[i] = 1;
        }
        var allRows = Enumerable.Repeat(1, rows.Length).ToArray();
        return new PartValues(auc.Evaluate(publicRows), auc.Evaluate(privateRows), auc.Evaluate(allRows));
    }

    /// <summary>
    /// For the bootstrap, each class's scores are sorted once; a resample is then one pass over
    /// the sorted rows with each row weighted by how often it was drawn. Counting, for every
    /// positive copy, the negative copies below it (half for ties) is exactly the Mann-Whitney
    /// statistic of the resampled multiset.
    /// </summary>
    public override IResampledMetric Resampled(Submission submission, int[] rows)
    {
        int classes = submission.Solution.ClassSet.Count;
        var truth = submission.Solution.TruthClass!;
        var probabilities = submission.Probabilities!;
        int[] scoredClasses = classes == 2 ? [1] : Enumerable.Range(0, classes).ToArray();
        var sorted = new SortedScores[scoredClasses.Length];
        for (int c = 0; c < scoredClasses.Length; c++)
        {
            int k = scoredClasses[c];
            var scores = new double[rows.Length];
            var order = new int[rows.Length];
            for (int i = 0; i < rows.Length; i++)
            {
                scores[i] = probabilities[rows[i] * classes + k];
                order[i] = i;
            }
            Array.Sort(scores, order);
            var positive = new bool[rows.Length];
            var endsTie = new bool[rows.Length];
            for (int i = 0; i < rows.Length; i++)
            {
                positive[i] = truth[rows[order[i]]] == k;
                endsTie[i] = i + 1 == rows.Length || scores[i + 1] != scores[i];
            }
            sorted[c] = new SortedScores(order, positive, endsTie);
        }
        return new ResampledAuc(sorted);
    }

    /// <summary>Rows of the part in ascending score order, whether each is of the class, and where each run of equal scores ends.</summary>
    private sealed record SortedScores(int[] Order, bool[] Positive, bool[] EndsTie);

    private sealed class ResampledAuc(SortedScores[] classes) : IResampledMetric
    {
        public double Evaluate(ReadOnlySpan<int> counts)
        {
            double sum = 0;
            int defined = 0;
            foreach (var c in classes)
            {
                var order = c.Order;
                var positive = c.Positive;
                var endsTie = c.EndsTie;
                double pairs = 0, negativesBelow = 0, positives = 0;
                long tiePositives = 0, tieNegatives = 0;
                for (int i = 0; i < order.Length; i++)
                {
                    int weight = counts[order[i]];
                    if (positive[i])
                    {
                        tiePositives += weight;
                    }
                    else
                    {
                        tieNegatives += weight;
                    }
                    if (endsTie[i])
                    {
                        pairs += tiePositives * (negativesBelow + 0.5 * tieNegatives);
                        negativesBelow += tieNegatives;
                        positives += tiePositives;
                        tiePositives = 0;
                        tieNegatives = 0;
                    }
                }
                if (positives > 0 && negativesBelow > 0)
                {
                    sum += pairs / (positives * negativesBelow);
                    defined++;
                }
            }
            return defined == 0 ? double.NaN : sum / defined;
        }
    }

    /// <summary>The AUC of one class against the others (<see cref="BinaryAuc"/>); NaN where the rows hold only one side.</summary>
    private static double OneVersusRest(Submission submission, ReadOnlySpan<int> rows, int positiveClass)
    {
        int classes = submission.Solution.ClassSet.Count;
        var truth = submission.Solution.TruthClass!;
        var probabilities = submission.Probabilities!;
        var scores = new double[rows.Length];
        var positive = new bool[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            int row = rows[i];
            scores[i] = probabilities[row * classes + positiveClass];
            positive[i] = truth[row] == positiveClass;
        }
        return BinaryAuc.Compute(scores, positive);
    }
}
