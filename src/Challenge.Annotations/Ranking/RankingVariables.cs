using Challenge.Annotations.Metrics;

namespace Challenge.Annotations.Ranking;

/// <summary>Builds the variables of <see cref="RankingFormula.Variables"/> from one team's reports.</summary>
public static class RankingVariables
{
    /// <param name="coverage">The team's coverage of the asset set.</param>
    /// <param name="maxLabelled">The most images labelled by any team on the same task.</param>
    /// <param name="classification">Honeypot agreement, for classification tasks.</param>
    /// <param name="boxes">Box quality, for box tasks.</param>
    /// <param name="detection">COCO AP, for prediction tasks.</param>
    public static Dictionary<string, double> For(CoverageReport coverage, int maxLabelled, ClassificationReport? classification = null,
        BoxQualityReport? boxes = null, CocoMetrics? detection = null)
    {
        var variables = new Dictionary<string, double>
        {
            ["labelled"] = coverage.Labelled,
            ["max_labelled"] = maxLabelled,
            ["total"] = coverage.Total,
            ["coverage"] = coverage.Share,
        };
        if (classification is not null)
        {
            variables["honeypot_accuracy"] = classification.Accuracy;
            variables["kappa"] = classification.Kappa;
        }

        if (boxes is not null)
        {
            variables["precision"] = boxes.Precision;
            variables["recall"] = boxes.Recall;
            variables["f1"] = boxes.F1;
            variables["mean_iou"] = boxes.MeanIou;
            variables["class_accuracy"] = boxes.ClassAccuracy;
        }

        if (detection is not null)
        {
            variables["map"] = Math.Max(0, detection.Ap);
            variables["map50"] = Math.Max(0, detection.Ap50);
        }

        return variables;
    }
}
