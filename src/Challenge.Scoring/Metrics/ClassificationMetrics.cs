namespace Challenge.Scoring.Metrics;

/// <summary>Per-class counts and rates with scikit-learn's conventions: a 0/0 rate counts as 0.</summary>
internal readonly record struct ClassStats(long Support, long Predicted, long TruePositives, double Precision, double Recall, double F1)
{
    /// <summary>scikit-learn averages over the classes that occur in the truth or the predictions.</summary>
    public bool Present => Support > 0 || Predicted > 0;

    public static ClassStats[] From(ConfusionMatrix matrix)
    {
        var stats = new ClassStats[matrix.ClassCount];
        for (int k = 0; k < stats.Length; k++)
        {
            long support = matrix.TruthTotal(k);
            long predicted = matrix.PredictedTotal(k);
            long truePositives = matrix[k, k];
            double precision = predicted == 0 ? 0 : truePositives / (double)predicted;
            double recall = support == 0 ? 0 : truePositives / (double)support;
            stats[k] = new ClassStats(support, predicted, truePositives, precision, recall, F1Of(precision, recall));
        }
        return stats;
    }

    /// <summary>Same operation order as scikit-learn: (1 + beta^2) * p * r / (beta^2 * p + r).</summary>
    public static double F1Of(double precision, double recall)
    {
        double denominator = precision + recall;
        return denominator == 0 ? 0 : 2 * precision * recall / denominator;
    }
}

internal sealed class AccuracyMetric(MetricInfo info) : ConfusionMetric(info)
{
    public override double Compute(ConfusionMatrix matrix, Solution solution) => matrix.Correct() / (double)matrix.Total;

    public override bool IsRowMean => true;

    // Accuracy is the mean of a 0/1 per-row value, so a resample is a weighted mean: a board's
    // rank intervals become dot products instead of a confusion matrix per team and resample.
    public override IResampledMetric Resampled(Submission submission, int[] rows)
    {
        var truth = submission.Solution.TruthClass!;
        var predicted = submission.PredictedClass!;
        var correct = new double[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            correct[i] = truth[rows[i]] == predicted[rows[i]] ? 1 : 0;
        }
        return new WeightedMean(correct, mean => mean);
    }
}

/// <summary>Mean recall over the classes present in the truth, as scikit-learn's balanced_accuracy_score.</summary>
internal sealed class BalancedAccuracyMetric(MetricInfo info) : ConfusionMetric(info)
{
    public override double Compute(ConfusionMatrix matrix, Solution solution)
    {
        double sum = 0;
        int classes = 0;
        for (int k = 0; k < matrix.ClassCount; k++)
        {
            long support = matrix.TruthTotal(k);
            if (support > 0)
            {
                sum += matrix[k, k] / (double)support;
                classes++;
            }
        }
        return sum / classes;
    }
}

/// <summary>
/// scikit-learn's accuracy_score with sample_weight set, for each row, to the organizer's weight
/// of that row's true class: sum of weights of correct rows over sum of weights of all rows.
/// </summary>
internal sealed class WeightedAccuracyMetric(MetricInfo info) : ConfusionMetric(info)
{
    public override double Compute(ConfusionMatrix matrix, Solution solution)
    {
        var weights = solution.ClassWeights!;
        double correct = 0;
        double total = 0;
        for (int k = 0; k < matrix.ClassCount; k++)
        {
            correct += weights[k] * matrix[k, k];
            total += weights[k] * matrix.TruthTotal(k);
        }
        return total == 0 ? double.NaN : correct / total;
    }
}

internal enum RateKind
{
    Precision,
    Recall,
    F1,
}

internal enum Averaging
{
    Macro,
    Micro,
    Weighted,
}

/// <summary>precision_*, recall_* and f1_* with scikit-learn's averaging rules.</summary>
internal sealed class RateMetric(MetricInfo info, RateKind kind, Averaging averaging) : ConfusionMetric(info)
{
    public override double Compute(ConfusionMatrix matrix, Solution solution)
    {
        var stats = ClassStats.From(matrix);
        if (averaging == Averaging.Micro)
        {
            long truePositives = 0, predicted = 0, support = 0;
            foreach (var s in stats)
            {
                truePositives += s.TruePositives;
                predicted += s.Predicted;
                support += s.Support;
            }
            double precision = predicted == 0 ? 0 : truePositives / (double)predicted;
            double recall = support == 0 ? 0 : truePositives / (double)support;
            return Pick(precision, recall, ClassStats.F1Of(precision, recall));
        }

        double sum = 0;
        double weightSum = 0;
        foreach (var s in stats)
        {
            if (!s.Present)
            {
                continue;
            }
            double weight = averaging == Averaging.Weighted ? s.Support : 1;
            sum += weight * Pick(s.Precision, s.Recall, s.F1);
            weightSum += weight;
        }
        return weightSum == 0 ? 0 : sum / weightSum;
    }

    private double Pick(double precision, double recall, double f1) => kind switch
    {
        RateKind.Precision => precision,
        RateKind.Recall => recall,
        _ => f1,
    };
}

/// <summary>
/// Cohen's kappa, unweighted or with quadratic weights, as scikit-learn's cohen_kappa_score.
/// Quadratic weights use the positions of the classes in the task's class order, i.e.
/// cohen_kappa_score(..., labels=classes, weights="quadratic").
/// </summary>
internal sealed class KappaMetric(MetricInfo info, bool quadratic) : ConfusionMetric(info)
{
    public override double Compute(ConfusionMatrix matrix, Solution solution)
    {
        int classes = matrix.ClassCount;
        var predictedTotals = new double[classes];
        var truthTotals = new double[classes];
        for (int k = 0; k < classes; k++)
        {
            predictedTotals[k] = matrix.PredictedTotal(k);
            truthTotals[k] = matrix.TruthTotal(k);
        }
        double n = matrix.Total;
        double observed = 0;
        double expected = 0;
        for (int i = 0; i < classes; i++)
        {
            for (int j = 0; j < classes; j++)
            {
                double weight = quadratic ? (i - j) * (double)(i - j) : i == j ? 0 : 1;
                observed += weight * matrix[i, j];
                expected += weight * (predictedTotals[j] * truthTotals[i] / n);
            }
        }
        return 1 - observed / expected;
    }
}

/// <summary>Multi-class Matthews correlation coefficient, as scikit-learn's matthews_corrcoef (0 when undefined).</summary>
internal sealed class MatthewsMetric(MetricInfo info) : ConfusionMetric(info)
{
    public override double Compute(ConfusionMatrix matrix, Solution solution)
    {
        double samples = matrix.Total;
        double correct = matrix.Correct();
        double truthDotPredicted = 0, predictedSquares = 0, truthSquares = 0;
        for (int k = 0; k < matrix.ClassCount; k++)
        {
            double t = matrix.TruthTotal(k);
            double p = matrix.PredictedTotal(k);
            truthDotPredicted += t * p;
            predictedSquares += p * p;
            truthSquares += t * t;
        }
        double covariance = correct * samples - truthDotPredicted;
        double predictedVariance = samples * samples - predictedSquares;
        double truthVariance = samples * samples - truthSquares;
        return predictedVariance * truthVariance == 0 ? 0 : covariance / Math.Sqrt(truthVariance * predictedVariance);
    }
}
