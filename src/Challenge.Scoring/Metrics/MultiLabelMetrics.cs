using System.Numerics;

namespace Challenge.Scoring.Metrics;

/// <summary>
/// Mean over rows of the F1 between the true and predicted label sets, as scikit-learn 1.2's
/// f1_score(average="samples"): a row with no true and no predicted label scores 0.
/// </summary>
internal sealed class SamplesF1Metric(MetricInfo info) : RowMeanMetric(info)
{
    protected override double RowValue(Submission submission, int row)
    {
        int words = submission.Solution.LabelWords;
        var truth = submission.Solution.TruthLabels.AsSpan(row * words, words);
        var predicted = submission.PredictedLabels.AsSpan(row * words, words);
        int truePositives = 0, trueCount = 0, predictedCount = 0;
        for (int w = 0; w < words; w++)
        {
            truePositives += BitOperations.PopCount(truth[w] & predicted[w]);
            trueCount += BitOperations.PopCount(truth[w]);
            predictedCount += BitOperations.PopCount(predicted[w]);
        }
        double precision = predictedCount == 0 ? 0 : truePositives / (double)predictedCount;
        double recall = trueCount == 0 ? 0 : truePositives / (double)trueCount;
        return ClassStats.F1Of(precision, recall);
    }
}

/// <summary>Share of (row, class) cells where truth and prediction disagree, over all the task's classes.</summary>
internal sealed class HammingLossMetric(MetricInfo info) : RowMeanMetric(info)
{
    protected override double RowValue(Submission submission, int row)
    {
        int words = submission.Solution.LabelWords;
        var truth = submission.Solution.TruthLabels.AsSpan(row * words, words);
        var predicted = submission.PredictedLabels.AsSpan(row * words, words);
        int differences = 0;
        for (int w = 0; w < words; w++)
        {
            differences += BitOperations.PopCount(truth[w] ^ predicted[w]);
        }
        return differences / (double)submission.Solution.ClassSet.Count;
    }
}
