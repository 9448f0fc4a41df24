namespace Challenge.Scoring.Metrics;

/// <summary>
/// Mean average precision at k, Kaggle's apk/mapk (ml_metrics, as in its recommendation
/// competitions): for each row, the sum over the first k submitted items of precision@i at
/// every rank i holding a relevant item not listed before, divided by min(number of relevant
/// items, k); 0 for a row without relevant items. The mean over rows.
/// </summary>
internal sealed class MapAtKMetric(MetricInfo info) : RowMeanMetric(info)
{
    protected override double RowValue(Submission submission, int row)
    {
        var relevant = submission.Solution.TruthItems![row];
        if (relevant.IsEmpty)
        {
            return 0;
        }
        var ranked = submission.PredictedItems![row];
        int k = submission.Solution.Task.TopK;
        double score = 0;
        int hits = 0;
        for (int i = 0; i < ranked.Length; i++)
        {
            int item = ranked[i];
            if (item >= 0 && relevant.Contains(item) && !ranked[..i].Contains(item))
            {
                hits++;
                score += hits / (i + 1.0);
            }
        }
        return score / Math.Min(relevant.Length, k);
    }
}
