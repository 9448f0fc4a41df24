namespace Challenge.Scoring.Significance;

/// <summary>A seeded bootstrap interval of one score.</summary>
/// <param name="Estimate">The score on the actual rows.</param>
/// <param name="Lower">Lower percentile bound.</param>
/// <param name="Upper">Upper percentile bound.</param>
/// <param name="Confidence">Coverage, e.g. 0.95.</param>
/// <param name="Replicates">Resamples whose metric was defined and entered the percentiles.</param>
public sealed record ConfidenceInterval(double Estimate, double Lower, double Upper, double Confidence, int Replicates);

/// <summary>A paired bootstrap comparison of two submissions to the same task.</summary>
/// <param name="ScoreA">Score of the first submission.</param>
/// <param name="ScoreB">Score of the second submission.</param>
/// <param name="Difference">ScoreA - ScoreB.</param>
/// <param name="Lower">Lower percentile bound of the difference.</param>
/// <param name="Upper">Upper percentile bound of the difference.</param>
/// <param name="PValue">Two-sided bootstrap p-value for "no difference".</param>
/// <param name="DiffersSignificantly">True when <see cref="PValue"/> is below 1 - confidence.</param>
/// <param name="Replicates">Resamples where both metrics were defined.</param>
public sealed record PairedComparison(double ScoreA, double ScoreB, double Difference, double Lower, double Upper, double PValue, bool DiffersSignificantly, int Replicates);

/// <summary>
/// Bootstrap over the rows of one scored part: each replicate draws as many rows as the part
/// has, uniformly with replacement, from a seeded SplitMix64 stream (so the same seed gives the
/// same interval on every machine and .NET version), and recomputes the metric on them.
/// </summary>
public static class Bootstrap
{
    public const int DefaultReplicates = 1000;

    public static ConfidenceInterval Interval(
        Submission submission,
        ScorePart part = ScorePart.Private,
        int replicates = DefaultReplicates,
        int seed = 0,
        double confidence = 0.95,
        string? metricName = null)
    {
        CheckArguments(replicates, confidence);
        var metric = Scorer.ResolveMetric(submission.Solution, metricName);
        var rows = submission.Solution.RowsOf(part).ToArray();
        double estimate = metric.Evaluate(submission, rows);
        var resampled = metric.Resampled(submission, rows);
        var values = new List<double>(replicates);
        var counts = new int[rows.Length];
        var random = new SplitMix64(seed);
        for (int r = 0; r < replicates && rows.Length > 0; r++)
        {
            Resample(counts, ref random);
            double value = resampled.Evaluate(counts);
            if (!double.IsNaN(value))
            {
                values.Add(value);
            }
        }
        var (lower, upper) = PercentileBounds(values, confidence);
        return new ConfidenceInterval(estimate, lower, upper, confidence, values.Count);
    }

    /// <summary>
    /// Paired test: both submissions are scored on the same resampled rows in every replicate.
    /// The p-value is twice the smaller share of replicate differences on either side of 0
    /// (capped at 1): the percentile-bootstrap test of "A and B score the same".
    /// </summary>
    public static PairedComparison Compare(
        Submission a,
        Submission b,
        ScorePart part = ScorePart.Private,
        int replicates = DefaultReplicates,
        int seed = 0,
        double confidence = 0.95,
        string? metricName = null)
    {
        CheckArguments(replicates, confidence);
        if (!ReferenceEquals(a.Solution, b.Solution))
        {
            throw new ArgumentException("Both submissions must have been read against the same Solution instance.", nameof(b));
        }
        var metric = Scorer.ResolveMetric(a.Solution, metricName);
        var rows = a.Solution.RowsOf(part).ToArray();
        double scoreA = metric.Evaluate(a, rows);
        double scoreB = metric.Evaluate(b, rows);
        var resampledA = metric.Resampled(a, rows);
        var resampledB = metric.Resampled(b, rows);
        var differences = new List<double>(replicates);
        var counts = new int[rows.Length];
        var random = new SplitMix64(seed);
        for (int r = 0; r < replicates && rows.Length > 0; r++)
        {
            Resample(counts, ref random);
            double difference = resampledA.Evaluate(counts) - resampledB.Evaluate(counts);
            if (!double.IsNaN(difference))
            {
                differences.Add(difference);
            }
        }

        double pValue = 1;
        if (differences.Count > 0)
        {
            double atOrBelow = differences.Count(d => d <= 0) / (double)differences.Count;
            double atOrAbove = differences.Count(d => d >= 0) / (double)differences.Count;
            pValue = Math.Min(1, 2 * Math.Min(atOrBelow, atOrAbove));
        }
        var (lower, upper) = PercentileBounds(differences, confidence);
        return new PairedComparison(scoreA, scoreB, scoreA - scoreB, lower, upper, pValue, pValue < 1 - confidence, differences.Count);
    }

    private static void CheckArguments(int replicates, double confidence)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicates, 1);
        if (!(confidence is > 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(confidence), "Confidence must be between 0 and 1.");
        }
    }

    /// <summary>Draws as many rows as there are, with replacement, recording how often each was drawn.</summary>
    private static void Resample(int[] counts, ref SplitMix64 random)
    {
        Array.Clear(counts);
        for (int i = 0; i < counts.Length; i++)
        {
            counts[random.NextBelow(counts.Length)]++;
        }
    }

    /// <summary>Percentiles with linear interpolation between order statistics (NumPy's default method).</summary>
    internal static (double Lower, double Upper) PercentileBounds(List<double> values, double confidence)
    {
        if (values.Count == 0)
        {
            return (double.NaN, double.NaN);
        }
        values.Sort();
        double tail = (1 - confidence) / 2;
        return (Percentile(values, tail), Percentile(values, 1 - tail));
    }

    private static double Percentile(List<double> sorted, double quantile)
    {
        double position = quantile * (sorted.Count - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Count - 1);
        double fraction = position - below;
        return sorted[below] + (sorted[above] - sorted[below]) * fraction;
    }

    internal struct SplitMix64(int seed)
    {
        private ulong _state = (ulong)(uint)seed;

        /// <summary>A stream that starts from a full 64-bit state (one independent stream per resample).</summary>
        public SplitMix64(ulong state) : this(0) => _state = state;

        public int NextBelow(int bound) => (int)Math.BigMul(NextUInt64(), (ulong)bound, out _);

        public ulong NextUInt64()
        {
            _state += 0x9E3779B97F4A7C15;
            ulong z = _state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
            return z ^ (z >> 31);
        }
    }
}
