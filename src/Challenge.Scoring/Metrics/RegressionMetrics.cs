namespace Challenge.Scoring.Metrics;

internal sealed class MeanAbsoluteErrorMetric(MetricInfo info) : RowMeanMetric(info)
{
    protected override double RowValue(Submission submission, int row) =>
        Math.Abs(submission.PredictedValues![row] - submission.Solution.TruthValues![row]);
}

internal sealed class RootMeanSquaredErrorMetric(MetricInfo info) : RowMeanMetric(info)
{
    protected override double RowValue(Submission submission, int row)
    {
        double d = submission.PredictedValues![row] - submission.Solution.TruthValues![row];
        return d * d;
    }

    protected override double Finish(double mean) => Math.Sqrt(mean);
}

/// <summary>Root mean squared error of log(1 + value); values below 0 are rejected when files are read.</summary>
internal sealed class RootMeanSquaredLogErrorMetric(MetricInfo info) : RowMeanMetric(info)
{
    protected override double RowValue(Submission submission, int row)
    {
        double d = double.LogP1(submission.PredictedValues![row]) - double.LogP1(submission.Solution.TruthValues![row]);
        return d * d;
    }

    protected override double Finish(double mean) => Math.Sqrt(mean);
}

/// <summary>Coefficient of determination as scikit-learn's r2_score: 1 for a perfect fit of constant truth, 0 otherwise then.</summary>
internal sealed class R2Metric(MetricInfo info) : Metric(info)
{
    public override double Evaluate(Submission submission, ReadOnlySpan<int> rows)
    {
        if (rows.IsEmpty)
        {
            return double.NaN;
        }
        var truth = submission.Solution.TruthValues!;
        var predicted = submission.PredictedValues!;
        double mean = 0;
        foreach (int row in rows)
        {
            mean += truth[row];
        }
        mean /= rows.Length;
        double residual = 0, total = 0;
        foreach (int row in rows)
        {
            double error = truth[row] - predicted[row];
            double spread = truth[row] - mean;
            residual += error * error;
            total += spread * spread;
        }
        if (total == 0)
        {
            return residual == 0 ? 1 : 0;
        }
        return 1 - residual / total;
    }
}

/// <summary>Mean squared error, as scikit-learn's mean_squared_error.</summary>
internal sealed class MeanSquaredErrorMetric(MetricInfo info) : RowMeanMetric(info)
{
    protected override double RowValue(Submission submission, int row)
    {
        double d = submission.PredictedValues![row] - submission.Solution.TruthValues![row];
        return d * d;
    }
}

/// <summary>
/// Mean absolute percentage error as a fraction, as scikit-learn's
/// mean_absolute_percentage_error: |truth − prediction| / max(|truth|, ε) with ε the double
/// machine epsilon, so a row where both are 0 costs 0 (Kaggle's rule) and a 0 truth with a
/// non-zero prediction costs a huge amount.
/// </summary>
internal sealed class MeanAbsolutePercentageErrorMetric(MetricInfo info) : RowMeanMetric(info)
{
    /// <summary>numpy.finfo(numpy.float64).eps, the floor scikit-learn puts under |truth|.</summary>
    private const double MachineEpsilon = 2.220446049250313e-16;

    protected override double RowValue(Submission submission, int row)
    {
        double truth = submission.Solution.TruthValues![row];
        return Math.Abs(truth - submission.PredictedValues![row]) / Math.Max(Math.Abs(truth), MachineEpsilon);
    }
}

/// <summary>
/// Symmetric mean absolute percentage error, Kaggle's definition (Web Traffic Time Series
/// Forecasting): 100/n · Σ 2·|F − A| / (|A| + |F|), in percent from 0 to 200, with a row where
/// both values are 0 counting as 0.
/// </summary>
internal sealed class SymmetricMeanAbsolutePercentageErrorMetric(MetricInfo info) : RowMeanMetric(info)
{
    protected override double RowValue(Submission submission, int row)
    {
        double truth = submission.Solution.TruthValues![row];
        double predicted = submission.PredictedValues![row];
        double denominator = Math.Abs(truth) + Math.Abs(predicted);
        return denominator == 0 ? 0 : 2 * Math.Abs(predicted - truth) / denominator;
    }

    protected override double Finish(double mean) => 100 * mean;
}

/// <summary>Median of |truth − prediction|, as scikit-learn's median_absolute_error (the mean of the two middle values for an even count).</summary>
internal sealed class MedianAbsoluteErrorMetric(MetricInfo info) : Metric(info)
{
    public override double Evaluate(Submission submission, ReadOnlySpan<int> rows)
    {
        if (rows.IsEmpty)
        {
            return double.NaN;
        }
        var truth = submission.Solution.TruthValues!;
        var predicted = submission.PredictedValues!;
        var errors = new double[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            errors[i] = Math.Abs(predicted[rows[i]] - truth[rows[i]]);
        }
        Array.Sort(errors);
        int middle = errors.Length / 2;
        return errors.Length % 2 == 1 ? errors[middle] : (errors[middle - 1] + errors[middle]) / 2;
    }
}

/// <summary>
/// Pearson's correlation between truth and prediction, as scipy.stats.pearsonr; undefined (no
/// score) when either is constant on the scored rows. With <c>ranks</c>, Spearman's rank
/// correlation: Pearson's on the average ranks (ties share their mean rank), as scipy.stats.spearmanr.
/// </summary>
internal sealed class CorrelationMetric(MetricInfo info, bool ranks) : Metric(info)
{
    public override double Evaluate(Submission submission, ReadOnlySpan<int> rows)
    {
        if (rows.Length < 2)
        {
            return double.NaN;
        }
        var x = new double[rows.Length];
        var y = new double[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            x[i] = submission.Solution.TruthValues![rows[i]];
            y[i] = submission.PredictedValues![rows[i]];
        }
        if (ranks)
        {
            x = AverageRanks(x);
            y = AverageRanks(y);
        }
        return Pearson(x, y);
    }

    private static double Pearson(double[] x, double[] y)
    {
        double meanX = x.Average(), meanY = y.Average();
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double dx = x[i] - meanX, dy = y[i] - meanY;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        if (sxx == 0 || syy == 0)
        {
            return double.NaN;
        }
        double r = sxy / Math.Sqrt(sxx * syy);
        return Math.Clamp(r, -1, 1);
    }

    private static double[] AverageRanks(double[] values)
    {
        var order = Enumerable.Range(0, values.Length).ToArray();
        var sorted = (double[])values.Clone();
        Array.Sort(sorted, order);
        var ranks = new double[values.Length];
        for (int start = 0; start < sorted.Length;)
        {
            int end = start + 1;
            while (end < sorted.Length && sorted[end] == sorted[start])
            {
                end++;
            }
            double rank = (start + 1 + end) / 2.0;
            for (int i = start; i < end; i++)
            {
                ranks[order[i]] = rank;
            }
            start = end;
        }
        return ranks;
    }
}
