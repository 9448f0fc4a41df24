using System.Numerics;
using Challenge.Scoring.Metrics;

namespace Challenge.Scoring.Significance;

/// <summary>Where one entry of a board stands under the paired bootstrap.</summary>
/// <param name="Lower">Best rank it reaches at the interval's lower percentile (1 is first).</param>
/// <param name="Upper">Worst rank it falls to at the interval's upper percentile.</param>
/// <param name="ProbabilityFirst">Share of resamples in which it ranks first (a tie for first splits the share).</param>
/// <param name="Group">1-based group of entries whose ranks cannot be told apart; numbered best first.</param>
public sealed record RankInterval(int Lower, int Upper, double ProbabilityFirst, int Group);

/// <summary>One ranked entry against one unranked reference entry (a baseline), on the same resampled rows.</summary>
/// <param name="Reference">Index of the reference entry in the analysed list.</param>
/// <param name="Difference">Entry's score minus the reference's, on the actual rows.</param>
/// <param name="Lower">Lower percentile bound of the difference.</param>
/// <param name="Upper">Upper percentile bound of the difference.</param>
/// <param name="PValue">Two-sided bootstrap p-value for "no difference" (as <see cref="Bootstrap.Compare"/>).</param>
/// <param name="BeatsClearly">True when the whole interval of the difference lies on the better side of 0.</param>
public sealed record ReferenceComparison(int Reference, double Difference, double Lower, double Upper, double PValue, bool BeatsClearly);

/// <summary>The result of <see cref="RankIntervals.Compute"/>, entry by entry in the order given.</summary>
/// <param name="Estimates">Each entry's score on the actual rows of the part (NaN where undefined).</param>
/// <param name="Ranks">Rank interval per ranked entry; null for reference entries.</param>
/// <param name="VersusReferences">Per ranked entry, its comparison with every reference entry; empty for reference entries.</param>
/// <param name="Replicates">Resamples in which every entry's metric was defined (the others are left out).</param>
/// <param name="Confidence">Coverage of the intervals, e.g. 0.95.</param>
/// <param name="Recomputed">True when the metric was recomputed on each resample (it is not a mean over rows).</param>
public sealed record RankAnalysis(
    IReadOnlyList<double> Estimates,
    IReadOnlyList<RankInterval?> Ranks,
    IReadOnlyList<IReadOnlyList<ReferenceComparison>> VersusReferences,
    int Replicates,
    double Confidence,
    bool Recomputed);

/// <summary>
/// Rank intervals for a whole board from one paired bootstrap: every resample weights the rows of
/// the part once and every entry is scored on that same weighting, so the correlation between
/// entries (they fail on the same hard rows) is kept, as in the bootstrap ranking of Maier-Hein et
/// al., "Why rankings of biomedical image analysis competitions should be interpreted with care",
/// Nature Communications 9, 5217 (2018), and the challengeR package (Wiesenfarth et al., Scientific
/// Reports 11, 2369, 2021).
/// <para>
/// Resampling is the Poisson bootstrap (Hanley and MacGibbon, 2006; Chamandy et al., 2012): each
/// row gets an independent Poisson(1) weight, which for n rows matches the multinomial bootstrap's
/// weights as n grows and lets every resample be drawn on its own seeded stream, so the result
/// does not depend on how many threads ran it. Metrics that are means of a per-row value
/// (accuracy, log loss with its clipping inside the per-row value, MAE, RMSE through its
/// transform...) become weighted sums of precomputed values; every other metric (ROC AUC, F1,
/// kappa...) is recomputed on the weighted rows through its <c>Resampled</c> form.
/// </para>
/// <para>
/// In every resample the ranked entries are ordered; a tie takes every rank it spans, so entries
/// with identical predictions always get the same interval. The interval is [the lower percentile
/// of the best rank taken, the upper percentile of the worst rank taken], percentiles by order
/// statistic. Groups walk the entries best first by their score on the actual rows: an entry opens a new group when
/// its best rank is worse than the worst rank of the current group's first entry.
/// </para>
/// </summary>
public static class RankIntervals
{
    // Rows per block in the dot products: a block of every team's values stays in the cache while
    // the resamples of one batch reuse it.
    private const int RowBlock = 2048;
    private const int ResampleBatch = 8;

    /// <param name="entries">The board's entries, best first; all read against the same <see cref="Solution"/> instance.</param>
    /// <param name="isReference">Per entry: true for an unranked reference (a baseline), compared with but not ranked.</param>
    /// <param name="part">Which rows are resampled (public for the public board, private for the private one).</param>
    /// <param name="replicates">Number of resamples (at least 1).</param>
    /// <param name="seed">Seed of the resampling streams: the same seed gives the same result everywhere.</param>
    /// <param name="confidence">Coverage of every interval, strictly between 0 and 1.</param>
    /// <param name="metricName">Metric to rank by; the task's metric when null.</param>
    /// <param name="maxParallelism">Threads to use; all cores when null.</param>
    public static RankAnalysis Compute(
        IReadOnlyList<Submission> entries,
        IReadOnlyList<bool> isReference,
        ScorePart part,
        int replicates,
        int seed = 0,
        double confidence = 0.95,
        string? metricName = null,
        int? maxParallelism = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicates, 1);
        if (!(confidence is > 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(confidence), "Confidence must be between 0 and 1.");
        }
        if (isReference.Count != entries.Count)
        {
            throw new ArgumentException("One reference flag per entry is needed.", nameof(isReference));
        }
        if (entries.Count == 0)
        {
            return new RankAnalysis([], [], [], 0, confidence, false);
        }
        var solution = entries[0].Solution;
        if (entries.Any(e => !ReferenceEquals(e.Solution, solution)))
        {
            throw new ArgumentException("Every entry must have been read against the same Solution instance.", nameof(entries));
        }
        var metric = Scorer.ResolveMetric(solution, metricName);
        bool higherIsBetter = metric.Info.HigherIsBetter;
        var rows = solution.RowsOf(part).ToArray();
        var estimates = entries.Select(e => metric.Evaluate(e, rows)).ToArray();
        int threads = Math.Max(1, Math.Min(maxParallelism ?? Environment.ProcessorCount, replicates));

        var first = entries.Select(e => metric.Resampled(e, rows)).ToArray();
        bool meanOfRows = first.All(r => r is IRowMeanResample);
        var scores = new double[replicates * entries.Count];
        if (rows.Length > 0)
        {
            if (meanOfRows)
            {
                WeightedMeans(first.Cast<IRowMeanResample>().ToArray(), rows.Length, replicates, seed, threads, scores, cancellationToken);
            }
            else
            {
                Recompute(entries, metric, rows, first, replicates, seed, threads, scores, cancellationToken);
            }
        }
        else
        {
            Array.Fill(scores, double.NaN);
        }

        var ranked = Enumerable.Range(0, entries.Count).Where(i => !isReference[i]).ToArray();
        var references = Enumerable.Range(0, entries.Count).Where(i => isReference[i]).ToArray();
        // A resample where any entry's metric is undefined (AUC with one class drawn) ranks nothing.
        var valid = Enumerable.Range(0, replicates)
            .Where(r => Enumerable.Range(0, entries.Count).All(i => !double.IsNaN(scores[r * entries.Count + i])))
            .ToArray();

        var ranks = RankAll(scores, estimates, entries.Count, ranked, valid, higherIsBetter, confidence);
        var versus = new IReadOnlyList<ReferenceComparison>[entries.Count];
        for (int i = 0; i < entries.Count; i++)
        {
            versus[i] = isReference[i] ? [] : references.Select(b => CompareWith(scores, entries.Count, i, b, valid, estimates, higherIsBetter, confidence)).ToArray();
        }
        return new RankAnalysis(estimates, ranks, versus, valid.Length, confidence, !meanOfRows);
    }

    /// <summary>
    /// The Poisson weights of one resample: independent Poisson(1) counts per row drawn from a
    /// SplitMix64 stream seeded by (seed, resample), by inversion of the cumulative distribution.
    /// </summary>
    internal static void PoissonWeights(Span<int> counts, int seed, int replicate)
    {
        var random = new Bootstrap.SplitMix64(((ulong)(uint)seed << 32) ^ (ulong)(uint)replicate * 0xD1B54A32D192ED03UL);
        var thresholds = PoissonThresholds;
        for (int i = 0; i < counts.Length; i++)
        {
            ulong u = random.NextUInt64();
            int k = 0;
            while (k < thresholds.Length && u >= thresholds[k])
            {
                k++;
            }
            counts[i] = k;
        }
    }

    // P(X <= k) for X ~ Poisson(1), scaled to 2^64: a draw u is k when thresholds[k-1] <= u < thresholds[k].
    private static readonly ulong[] PoissonThresholds = BuildPoissonThresholds();

    private static ulong[] BuildPoissonThresholds()
    {
        var thresholds = new List<ulong>();
        double term = Math.Exp(-1);
        double cumulative = term;
        for (int k = 1; cumulative < 1 - 1e-17 && k < 30; k++)
        {
            thresholds.Add((ulong)(cumulative * 18446744073709551616.0));
            term /= k;
            cumulative += term;
        }
        return [.. thresholds];
    }

    private static void WeightedMeans(IRowMeanResample[] entries, int rowCount, int replicates, int seed, int threads, double[] scores, CancellationToken cancellationToken)
    {
        int teams = entries.Length;
        int batches = (replicates + ResampleBatch - 1) / ResampleBatch;
        Parallel.For(0, batches, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellationToken }, batch =>
        {
            int start = batch * ResampleBatch;
            int count = Math.Min(ResampleBatch, replicates - start);
            var weights = new double[count][];
            var totals = new double[count];
            var counts = new int[rowCount];
            for (int b = 0; b < count; b++)
            {
                PoissonWeights(counts, seed, start + b);
                weights[b] = new double[rowCount];
                long total = 0;
                for (int i = 0; i < rowCount; i++)
                {
                    weights[b][i] = counts[i];
                    total += counts[i];
                }
                totals[b] = total;
            }
            var sums = new double[count * teams];
            for (int from = 0; from < rowCount; from += RowBlock)
            {
                int length = Math.Min(RowBlock, rowCount - from);
                for (int t = 0; t < teams; t++)
                {
                    var values = entries[t].Values.AsSpan(from, length);
                    for (int b = 0; b < count; b++)
                    {
                        sums[b * teams + t] += Dot(weights[b].AsSpan(from, length), values);
                    }
                }
            }
            for (int b = 0; b < count; b++)
            {
                for (int t = 0; t < teams; t++)
                {
                    scores[(start + b) * teams + t] = totals[b] == 0 ? double.NaN : entries[t].Finish(sums[b * teams + t] / totals[b]);
                }
            }
        });
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        int width = Vector<double>.Count;
        var sum0 = Vector<double>.Zero;
        var sum1 = Vector<double>.Zero;
        int i = 0;
        for (; i <= a.Length - 2 * width; i += 2 * width)
        {
            sum0 += new Vector<double>(a.Slice(i, width)) * new Vector<double>(b.Slice(i, width));
            sum1 += new Vector<double>(a.Slice(i + width, width)) * new Vector<double>(b.Slice(i + width, width));
        }
        double sum = Vector.Sum(sum0 + sum1);
        for (; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }
        return sum;
    }

    // Resampled forms may keep scratch buffers, so each thread prepares its own; every thread takes
    // every threads-th resample, and each resample's weights come from its own stream.
    private static void Recompute(IReadOnlyList<Submission> entries, Metric metric, int[] rows, IResampledMetric[] first, int replicates, int seed, int threads,
        double[] scores, CancellationToken cancellationToken)
    {
        int teams = entries.Count;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellationToken }, thread =>
        {
            var resampled = thread == 0 ? first : entries.Select(e => metric.Resampled(e, rows)).ToArray();
            var counts = new int[rows.Length];
            for (int r = thread; r < replicates; r += threads)
            {
                cancellationToken.ThrowIfCancellationRequested();
                PoissonWeights(counts, seed, r);
                for (int t = 0; t < teams; t++)
                {
                    scores[r * teams + t] = resampled[t].Evaluate(counts);
                }
            }
        });
    }

    private static RankInterval?[] RankAll(double[] scores, double[] estimates, int entryCount, int[] ranked, int[] valid, bool higherIsBetter, double confidence)
    {
        var result = new RankInterval?[entryCount];
        if (ranked.Length == 0)
        {
            return result;
        }
        // Histograms of the best and worst rank each entry takes (ranks are small integers).
        var best = new int[ranked.Length, ranked.Length + 1];
        var worst = new int[ranked.Length, ranked.Length + 1];
        var firsts = new double[ranked.Length];
        var order = new int[ranked.Length];
        var values = new double[ranked.Length];
        foreach (int r in valid)
        {
            for (int j = 0; j < ranked.Length; j++)
            {
                double value = scores[r * entryCount + ranked[j]];
                values[j] = higherIsBetter ? -value : value;
                order[j] = j;
            }
            Array.Sort(values.ToArray(), order);
            int position = 0;
            while (position < order.Length)
            {
                int end = position + 1;
                while (end < order.Length && values[order[end]] == values[order[position]])
                {
                    end++;
                }
                for (int k = position; k < end; k++)
                {
                    best[order[k], position + 1]++;
                    worst[order[k], end]++;
                    if (position == 0)
                    {
                        firsts[order[k]] += 1.0 / (end - position);
                    }
                }
                position = end;
            }
        }

        double tail = (1 - confidence) / 2;
        var intervals = new (int Lower, int Upper)[ranked.Length];
        for (int j = 0; j < ranked.Length; j++)
        {
            intervals[j] = valid.Length == 0
                ? (1, ranked.Length)
                : (OrderStatistic(best, j, (int)Math.Floor(tail * (valid.Length - 1))), OrderStatistic(worst, j, (int)Math.Ceiling((1 - tail) * (valid.Length - 1))));
        }
        // Groups walk the entries best first by their score on the actual rows (ties keep the given order).
        var byEstimate = Enumerable.Range(0, ranked.Length)
            .OrderBy(j => double.IsNaN(estimates[ranked[j]]) ? double.PositiveInfinity : higherIsBetter ? -estimates[ranked[j]] : estimates[ranked[j]])
            .ThenBy(j => j);
        int group = 0;
        int leaderUpper = 0;
        foreach (int j in byEstimate)
        {
            if (group == 0 || intervals[j].Lower > leaderUpper)
            {
                group++;
                leaderUpper = intervals[j].Upper;
            }
            result[ranked[j]] = new RankInterval(intervals[j].Lower, intervals[j].Upper, valid.Length == 0 ? 0 : firsts[j] / valid.Length, group);
        }
        return result;
    }

    // The value at 0-based position `index` of the sorted sample described by a histogram row.
    private static int OrderStatistic(int[,] histogram, int row, int index)
    {
        int seen = 0;
        for (int rank = 1; rank < histogram.GetLength(1); rank++)
        {
            seen += histogram[row, rank];
            if (seen > index)
            {
                return rank;
            }
        }
        return histogram.GetLength(1) - 1;
    }

    private static ReferenceComparison CompareWith(double[] scores, int entryCount, int entry, int reference, int[] valid, double[] estimates, bool higherIsBetter, double confidence)
    {
        var differences = new List<double>(valid.Length);
        foreach (int r in valid)
        {
            differences.Add(scores[r * entryCount + entry] - scores[r * entryCount + reference]);
        }
        double pValue = 1;
        if (differences.Count > 0)
        {
            double atOrBelow = differences.Count(d => d <= 0) / (double)differences.Count;
            double atOrAbove = differences.Count(d => d >= 0) / (double)differences.Count;
            pValue = Math.Min(1, 2 * Math.Min(atOrBelow, atOrAbove));
        }
        var (lower, upper) = Bootstrap.PercentileBounds(differences, confidence);
        bool beats = differences.Count > 0 && (higherIsBetter ? lower > 0 : upper < 0);
        return new ReferenceComparison(reference, estimates[entry] - estimates[reference], lower, upper, pValue, beats);
    }
}

/// <summary>Agreement between two rankings of the same entries.</summary>
public static class RankCorrelation
{
    /// <summary>
    /// Kendall's τ-b between two paired samples, with ties counted as in Kendall (1945) and
    /// <c>scipy.stats.kendalltau</c>'s default: τ-b = (C − D) / √((n₀ − n₁)(n₀ − n₂)), where C and D
    /// count concordant and discordant pairs, n₀ = n(n−1)/2, and n₁, n₂ count pairs tied in x, in y.
    /// NaN when fewer than two pairs or either sample is constant. O(n²), enough for a board.
    /// </summary>
    public static double KendallTauB(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count)
        {
            throw new ArgumentException("Both samples need the same length.", nameof(y));
        }
        long concordant = 0, discordant = 0, tiedX = 0, tiedY = 0;
        for (int i = 0; i < x.Count; i++)
        {
            for (int j = i + 1; j < x.Count; j++)
            {
                int dx = x[i].CompareTo(x[j]);
                int dy = y[i].CompareTo(y[j]);
                if (dx == 0)
                {
                    tiedX++;
                }
                if (dy == 0)
                {
                    tiedY++;
                }
                if (dx * dy > 0)
                {
                    concordant++;
                }
                else if (dx * dy < 0)
                {
                    discordant++;
                }
            }
        }
        long pairs = (long)x.Count * (x.Count - 1) / 2;
        double denominator = Math.Sqrt((double)(pairs - tiedX) * (pairs - tiedY));
        return denominator == 0 ? double.NaN : (concordant - discordant) / denominator;
    }
}
