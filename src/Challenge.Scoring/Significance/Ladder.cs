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
    /// The parameter-free Ladder's test (Algorithm 2 of the paper): a new submission moves the shown
    /// score when it beats it by more than the standard error of the per-row differences between the
    /// new submission and the team's submission that set the shown score, s / √n, where s is the
    /// sample standard deviation of those differences over the n public rows. For metrics that are a
    /// mean over rows; the new shown score is then the new score rounded to a multiple of 1/n.
    /// </summary>
    /// <returns>The threshold s / √n on the public rows (NaN with fewer than two rows or for a metric that is not a mean over rows).</returns>
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
        for (int i = 0; i < rows.Length; i++)
        {
            double d = a.Values[i] - b.Values[i] - mean;
            squares += d * d;
        }
        return Math.Sqrt(squares / (rows.Length - 1)) / Math.Sqrt(rows.Length);
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
