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
