namespace Challenge.Scoring.Metrics;

/// <summary>
/// Dice coefficient of each row's predicted and true mask, 2·|A ∩ B| / (|A| + |B|), averaged
/// over rows, as in Kaggle's segmentation competitions; a row where both masks are empty
/// scores 1 (nothing to find, nothing predicted).
/// </summary>
internal sealed class DiceMetric(MetricInfo info) : RowMeanMetric(info)
{
    protected override double RowValue(Submission submission, int row)
    {
        var truth = submission.Solution.TruthRuns![row];
        var predicted = submission.PredictedRuns![row];
        long both = RunLengthMask.Area(truth) + RunLengthMask.Area(predicted);
        return both == 0 ? 1 : 2.0 * RunLengthMask.Intersection(truth, predicted) / both;
    }
}

/// <summary>Intersection over union (Jaccard index) of each row's masks, |A ∩ B| / |A ∪ B|, averaged over rows; 1 where both are empty.</summary>
internal sealed class IouMetric(MetricInfo info) : RowMeanMetric(info)
{
    protected override double RowValue(Submission submission, int row)
    {
        var truth = submission.Solution.TruthRuns![row];
        var predicted = submission.PredictedRuns![row];
        long shared = RunLengthMask.Intersection(truth, predicted);
        long union = RunLengthMask.Area(truth) + RunLengthMask.Area(predicted) - shared;
        return union == 0 ? 1 : shared / (double)union;
    }
}
