namespace Challenge.Scoring.Significance;

/// <summary>What the public board shows after one submission under the Ladder.</summary>
/// <param name="Shown">The score shown for the team after this submission (NaN before any score).</param>
/// <param name="Updated">True when this submission moved the shown score; otherwise the team keeps its previous best and is told so.</param>
public readonly record struct LadderStep(double Shown, bool Updated);

/// <summary>
/// The Ladder of Blum and Hardt, "The Ladder: A Reliable Leaderboard for Machine Learning
/// Competitions", ICML 2015 (arXiv:1502.04585). A team's shown public score moves only when a new
/// submission beats the shown one by more than a step η, and then to the new score rounded to a
/// multiple of η; so probing the public rows with many small variations learns at most one bit per
/// step instead of a fresh number each time, and the public board cannot be climbed by adaptive
/// overfitting. Private scores are never affected.
/// </summary>
public static class Ladder
{
    /// <summary>
    /// The Ladder with a fixed step <paramref name="margin"/> (Algorithm 1 of the paper), over one
    /// team's public scores in submission order. NaN scores (failed files) leave the shown score as it was.
    /// Rounding is to the nearest multiple of the margin, towards the worse side on ties, so the shown
    /// score never claims more than the submission reached by more than half a step.
    /// </summary>
    public static IReadOnlyList<LadderStep> WithMargin(IReadOnlyList<double> scores, bool higherIsBetter, double margin)
    {
        if (!(margin > 0) || !double.IsFinite(margin))
        {
            throw new ArgumentOutOfRangeException(nameof(margin), "The Ladder's step must be a positive number.");
        }
        var steps = new List<LadderStep>(scores.Count);
        double shown = double.NaN;
        foreach (var score in scores)
        {
            if (double.IsFinite(score) && (double.IsNaN(shown) || Gain(score, shown, higherIsBetter) > margin))
            {
                shown = Round(score, margin, higherIsBetter);
                steps.Add(new LadderStep(shown, true));
            }
            else
            {
                steps.Add(new LadderStep(shown, false));
            }
        }
        return steps;
    }

    /// <summary>
    /// Whether the parameter-free rule applies to a metric: it needs per-row losses, so the metric
    /// must be a mean over rows (accuracy, log loss, MAE, RMSE...), not a function of the whole
    /// ranking or confusion matrix (ROC AUC, F1, kappa), for which only a fixed margin works.
    /// </summary>
    public static bool SupportsParameterFree(string metricName) =>
        Metrics.MetricCatalog.Find(metricName) is { } info && Metrics.MetricCatalog.Create(info.Name).IsRowMean;

    /// <summary>
    /// The parameter-free Ladder's test (Algorithm 2 of the paper): a new submission moves the shown
    /// score when it beats it by more than the standard error of the per-row differences between the
    /// new submission and the team's submission that set the shown score, s / √n, where s is the
    /// sample standard deviation of those differences over the n public rows. For metrics that are a
    /// mean over rows; the new shown score is then the new score rounded to a multiple of 1/n.
    /// Where the metric transforms the mean (RMSE is the square root of the mean squared error), the
    /// threshold is carried into the metric's units at the best submission's mean, in the direction
    /// of an improvement: |f(m_best ± s/√n) − f(m_best)|; for a plain mean that is s/√n itself.
    /// </summary>
    /// <returns>The threshold on the public rows in the metric's units (NaN with fewer than two rows or for a metric that is not a mean over rows).</returns>
    public static double ParameterFreeThreshold(Submission candidate, Submission best, ScorePart part = ScorePart.Public, string? metricName = null)
    {
        if (!ReferenceEquals(candidate.Solution, best.Solution))
        {
            throw new ArgumentException("Both submissions must have been read against the same Solution instance.", nameof(best));
        }
        var metric = Scorer.ResolveMetric(candidate.Solution, metricName);
        var rows = candidate.Solution.RowsOf(part).ToArray();
        if (rows.Length < 2 || metric.Resampled(candidate, rows) is not Metrics.IRowMeanResample a || metric.Resampled(best, rows) is not Metrics.IRowMeanResample b)
        {
            return double.NaN;
        }
        double mean = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            mean += a.Values[i] - b.Values[i];
        }
        mean /= rows.Length;
        double squares = 0;
        double bestMean = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            double d = a.Values[i] - b.Values[i] - mean;
            squares += d * d;
            bestMean += b.Values[i];
        }
        bestMean /= rows.Length;
        double standardError = Math.Sqrt(squares / (rows.Length - 1)) / Math.Sqrt(rows.Length);
        double atBest = b.Finish(bestMean);
        // Which way the per-row mean moves for an improvement: compare the transform on both sides
        // (below zero a square root is undefined; the other side's distance is then used).
        double up = Math.Abs(b.Finish(bestMean + standardError) - atBest);
        double down = Math.Abs(b.Finish(bestMean - standardError) - atBest);
        bool upIsBetter = metric.Info.HigherIsBetter == (b.Finish(bestMean + standardError) >= atBest);
        double threshold = upIsBetter ? up : down;
        if (!double.IsFinite(threshold))
        {
            threshold = upIsBetter ? down : up;
        }
        return double.IsFinite(threshold) ? threshold : double.NaN;
    }

    /// <summary>One step of the parameter-free Ladder: the shown score after a candidate scored <paramref name="score"/> with the given threshold.</summary>
    public static LadderStep ParameterFreeStep(double shown, double score, double threshold, int rows, bool higherIsBetter)
    {
        if (!double.IsFinite(score))
        {
            return new LadderStep(shown, false);
        }
        if (double.IsNaN(shown) || (double.IsFinite(threshold) && Gain(score, shown, higherIsBetter) > threshold))
        {
            return new LadderStep(rows > 0 ? Round(score, 1.0 / rows, higherIsBetter) : score, true);
        }
        return new LadderStep(shown, false);
    }

    private static double Gain(double score, double shown, bool higherIsBetter) => higherIsBetter ? score - shown : shown - score;

    private static double Round(double score, double step, bool higherIsBetter)
    {
        double units = score / step;
        double nearest = Math.Round(units, MidpointRounding.AwayFromZero);
        // A tie between two multiples goes to the worse one.
        if (Math.Abs(units - Math.Truncate(units) - 0.5 * Math.Sign(units)) < 1e-12)
        {
            nearest = higherIsBetter ? Math.Floor(units) : Math.Ceiling(units);
        }
        // A step like 0.05 is 1/20: dividing by 20 gives 0.6 where multiplying by 0.05 gives 0.6000000000000001.
        double inverse = 1 / step;
        return Math.Abs(inverse - Math.Round(inverse)) < 1e-9 ? nearest / Math.Round(inverse) : nearest * step;
    }
}
