namespace Challenge.Scoring.Metrics;

/// <summary>Public, private and overall values of one metric; NaN where the metric is undefined on that part.</summary>
internal readonly record struct PartValues(double Public, double Private, double Overall);

/// <summary>A metric computed over any multiset of solution rows (bootstrap samples repeat rows).</summary>
internal abstract class Metric
{
    protected Metric(MetricInfo info) => Info = info;

    public MetricInfo Info { get; }

    /// <summary>True where <see cref="Resampled"/> gives an <see cref="IRowMeanResample"/>: the metric is a (transformed) mean of per-row values.</summary>
    public virtual bool IsRowMean => false;

    /// <summary>Value on the given rows, or NaN when it is undefined there (e.g. ROC AUC with one class).</summary>
    public abstract double Evaluate(Submission submission, ReadOnlySpan<int> rows);

    public virtual PartValues EvaluateParts(Submission submission)
    {
        var solution = submission.Solution;
        return new PartValues(
            Evaluate(submission, solution.RowsOf(ScorePart.Public)),
            Evaluate(submission, solution.RowsOf(ScorePart.Private)),
            Evaluate(submission, solution.RowsOf(ScorePart.Overall)));
    }

    /// <summary>
    /// Prepares repeated evaluation on resamples of <paramref name="rows"/>. The default expands
    /// each resample into a row list; metrics override it where work can be shared between
    /// resamples (per-row values, sorted scores).
    /// </summary>
    public virtual IResampledMetric Resampled(Submission submission, int[] rows) => new ExpandedResample(this, submission, rows);

    private sealed class ExpandedResample(Metric metric, Submission submission, int[] rows) : IResampledMetric
    {
        private readonly int[] _sample = new int[rows.Length];

        public double Evaluate(ReadOnlySpan<int> counts)
        {
            int next = 0;
            for (int i = 0; i < counts.Length; i++)
            {
                for (int copy = 0; copy < counts[i]; copy++)
                {
                    _sample[next++] = rows[i];
                }
            }
            return metric.Evaluate(submission, _sample.AsSpan(0, next));
        }
    }
}

/// <summary>A metric ready to be evaluated on many bootstrap resamples of the same rows.</summary>
internal interface IResampledMetric
{
    /// <summary>Value on the multiset where row i of the prepared rows appears <c>counts[i]</c> times; NaN when undefined.</summary>
    double Evaluate(ReadOnlySpan<int> counts);
}

/// <summary>
/// A resample of a metric that is a (transformed) mean of per-row values: any weighting of the
/// rows is then <c>Finish(Σ wᵢ·vᵢ / Σ wᵢ)</c>, so many teams and resamples reduce to dot products.
/// </summary>
internal interface IRowMeanResample
{
    /// <summary>The per-row values, in the order of the prepared rows.</summary>
    double[] Values { get; }

    /// <summary>The metric's transform of the weighted mean (identity, or a square root for RMSE).</summary>
    double Finish(double mean);
}

/// <summary>Each resample is a weighted mean of per-row values computed once, then the metric's transform.</summary>
internal sealed class WeightedMean(double[] values, Func<double, double> finish) : IResampledMetric, IRowMeanResample
{
    public double[] Values => values;

    public double Finish(double mean) => finish(mean);

    public double Evaluate(ReadOnlySpan<int> counts)
    {
        double sum = 0;
        long total = 0;
        for (int i = 0; i < counts.Length; i++)
        {
            sum += counts[i] * values[i];
            total += counts[i];
        }
        return total == 0 ? double.NaN : finish(sum / total);
    }
}

/// <summary>Metrics that are a function of the confusion matrix; the parts are counted in one pass.</summary>
internal abstract class ConfusionMetric(MetricInfo info) : Metric(info)
{
    public abstract double Compute(ConfusionMatrix matrix, Solution solution);

    public override double Evaluate(Submission submission, ReadOnlySpan<int> rows)
    {
        var matrix = new ConfusionMatrix(submission.Solution.ClassSet.Count);
        var truth = submission.Solution.TruthClass!;
        var predicted = submission.PredictedClass!;
        foreach (int row in rows)
        {
            matrix.Add(truth[row], predicted[row]);
        }
        return matrix.Total == 0 ? double.NaN : Compute(matrix, submission.Solution);
    }

    /// <summary>Each resample is a confusion matrix with every row counted as often as it was drawn.</summary>
    public override IResampledMetric Resampled(Submission submission, int[] rows)
    {
        var truth = submission.Solution.TruthClass!;
        var predicted = submission.PredictedClass!;
        var pairs = rows.Select(row => (truth[row], predicted[row])).ToArray();
        return new WeightedMatrix(this, submission.Solution, pairs);
    }

    private sealed class WeightedMatrix(ConfusionMetric metric, Solution solution, (int Truth, int Predicted)[] pairs) : IResampledMetric
    {
        public double Evaluate(ReadOnlySpan<int> counts)
        {
            var matrix = new ConfusionMatrix(solution.ClassSet.Count);
            for (int i = 0; i < pairs.Length; i++)
            {
                if (counts[i] > 0)
                {
                    matrix.Add(pairs[i].Truth, pairs[i].Predicted, counts[i]);
                }
            }
            return matrix.Total == 0 ? double.NaN : metric.Compute(matrix, solution);
        }
    }

    public override PartValues EvaluateParts(Submission submission)
    {
        var (publicMatrix, privateMatrix) = ConfusionMatrix.ForParts(submission);
        var overall = publicMatrix.Plus(privateMatrix);
        var solution = submission.Solution;
        return new PartValues(
            publicMatrix.Total == 0 ? double.NaN : Compute(publicMatrix, solution),
            privateMatrix.Total == 0 ? double.NaN : Compute(privateMatrix, solution),
            overall.Total == 0 ? double.NaN : Compute(overall, solution));
    }
}

/// <summary>Metrics that average a per-row value, then maybe transform the mean (square root for RMSE).</summary>
internal abstract class RowMeanMetric(MetricInfo info) : Metric(info)
{
    protected abstract double RowValue(Submission submission, int row);

    public override bool IsRowMean => true;

    protected virtual double Finish(double mean) => mean;

    public override double Evaluate(Submission submission, ReadOnlySpan<int> rows)
    {
        if (rows.IsEmpty)
        {
            return double.NaN;
        }
        double sum = 0;
        foreach (int row in rows)
        {
            sum += RowValue(submission, row);
        }
        return Finish(sum / rows.Length);
    }

    /// <summary>Per-row values are computed once; each resample is then a weighted mean.</summary>
    public override IResampledMetric Resampled(Submission submission, int[] rows)
    {
        var values = new double[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            values[i] = RowValue(submission, rows[i]);
        }
        return new WeightedMean(values, Finish);
    }

    public override PartValues EvaluateParts(Submission submission)
    {
        Span<double> sums = stackalloc double[3];
        Span<long> counts = stackalloc long[3];
        var usage = submission.Solution.Usage;
        for (int row = 0; row < usage.Length; row++)
        {
            int part = (int)usage[row];
            if (part < 2)
            {
                sums[part] += RowValue(submission, row);
                counts[part]++;
            }
        }
        double overall = counts[0] + counts[1] == 0 ? double.NaN : Finish((sums[0] + sums[1]) / (counts[0] + counts[1]));
        return new PartValues(
            counts[0] == 0 ? double.NaN : Finish(sums[0] / counts[0]),
            counts[1] == 0 ? double.NaN : Finish(sums[1] / counts[1]),
            overall);
    }
}
