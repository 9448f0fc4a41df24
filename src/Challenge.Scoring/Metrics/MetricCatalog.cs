namespace Challenge.Scoring.Metrics;

/// <summary>Every metric the scorer knows, with the text the evaluation page shows.</summary>
public static class MetricCatalog
{
    private static readonly TaskKind[] s_classes = [TaskKind.Label, TaskKind.Probability];
    private static readonly TaskKind[] s_probabilities = [TaskKind.Probability];
    private static readonly TaskKind[] s_multiLabel = [TaskKind.MultiLabel];
    private static readonly TaskKind[] s_regression = [TaskKind.Regression];

    private const string ArgmaxNote =
        " For a probability submission, each row counts as a prediction of its most probable class (the first one on ties).";

    private static readonly (MetricInfo Info, Func<MetricInfo, Metric> Create)[] s_metrics =
    [
        (new MetricInfo("accuracy", "Accuracy", true, s_classes, 1,
            "The share of rows whose predicted class is the true class. Every row counts the same, so on imbalanced data a model that always predicts the most common class can already look good." + ArgmaxNote),
            info => new AccuracyMetric(info)),
        (new MetricInfo("balanced_accuracy", "Balanced accuracy", true, s_classes, 1,
            "The average, over the classes present in the truth, of the share of that class's rows that were predicted correctly (its recall). Rare classes weigh as much as common ones, so always predicting the majority class scores only 1 / number of classes." + ArgmaxNote),
            info => new BalancedAccuracyMetric(info)),
        (new MetricInfo("weighted_accuracy", "Weighted accuracy", true, s_classes, 1,
            "Accuracy where each row counts with the weight the organizer gave to its true class: the sum of the weights of correctly predicted rows divided by the sum of the weights of all rows (scikit-learn's accuracy_score with sample_weight = weight of each row's true class). Classes with larger weights matter more." + ArgmaxNote),
            info => new WeightedAccuracyMetric(info)),
        (new MetricInfo("top_k_accuracy", "Top-k accuracy", true, s_probabilities, 1,
            "The share of rows whose true class is among the k classes the submission gives the highest probability (k is set by the organizer). It rewards a model that ranks the right answer near the top even when it is not the first guess."),
            info => new TopKAccuracyMetric(info)),
        Rate("precision_macro", "Precision (macro average)", RateKind.Precision, Averaging.Macro,
            "Precision of a class is the share of rows predicted as that class that really are of that class. The macro average gives every class present in the truth or in the predictions the same weight."),
        Rate("precision_micro", "Precision (micro average)", RateKind.Precision, Averaging.Micro,
            "Precision counted over all rows at once: correct predictions divided by all predictions. With exactly one predicted class per row it equals accuracy."),
        Rate("precision_weighted", "Precision (weighted average)", RateKind.Precision, Averaging.Weighted,
            "Precision of each class (share of its predictions that are right), averaged with each class weighted by how many rows truly belong to it."),
        Rate("recall_macro", "Recall (macro average)", RateKind.Recall, Averaging.Macro,
            "Recall of a class is the share of its rows that were predicted as that class. The macro average gives every class present in the truth or in the predictions the same weight."),
        Rate("recall_micro", "Recall (micro average)", RateKind.Recall, Averaging.Micro,
            "Recall counted over all rows at once: correct predictions divided by all rows. With exactly one predicted class per row it equals accuracy."),
        Rate("recall_weighted", "Recall (weighted average)", RateKind.Recall, Averaging.Weighted,
            "Recall of each class (share of its rows found), averaged with each class weighted by how many rows truly belong to it; this equals accuracy."),
        Rate("f1_macro", "F1 (macro average)", RateKind.F1, Averaging.Macro,
            "F1 of a class is the harmonic mean of its precision and recall: high only when the class is both found and not over-predicted. The macro average gives every class present in the truth or in the predictions the same weight, so rare classes matter."),
        Rate("f1_micro", "F1 (micro average)", RateKind.F1, Averaging.Micro,
            "F1 computed from the counts of all rows together. With exactly one predicted class per row it equals accuracy."),
        Rate("f1_weighted", "F1 (weighted average)", RateKind.F1, Averaging.Weighted,
            "F1 of each class (harmonic mean of precision and recall), averaged with each class weighted by how many rows truly belong to it."),
        (new MetricInfo("cohen_kappa", "Cohen's kappa", true, s_classes, 1,
            "Agreement between predictions and truth, corrected for the agreement expected by chance from how often each class is predicted and occurs. 1 is perfect, 0 is no better than chance, negative is worse than chance." + ArgmaxNote),
            info => new KappaMetric(info, quadratic: false)),
        (new MetricInfo("quadratic_weighted_kappa", "Quadratic weighted kappa", true, s_classes, 1,
            "Cohen's kappa for ordered classes: a wrong prediction costs the square of its distance from the truth in the task's class order, so predicting 3 for a true 4 costs far less than predicting 0. 1 is perfect, 0 is chance level." + ArgmaxNote),
            info => new KappaMetric(info, quadratic: true)),
        (new MetricInfo("mcc", "Matthews correlation coefficient", true, s_classes, 1,
            "The correlation between predicted and true classes, computed from the whole confusion matrix. It stays informative on imbalanced data: 1 is perfect, 0 is no better than chance (or a constant prediction), -1 is total disagreement." + ArgmaxNote),
            info => new MatthewsMetric(info)),
        (new MetricInfo("log_loss", "Multi-class log loss", false, s_probabilities, 0,
            "The average, over rows, of minus the natural logarithm of the probability the submission gave to the true class. Each row is first divided by its sum, then that probability is clipped to [1e-15, 1 - 1e-15]. Why a logarithm? It is the only scoring rule that rewards reporting your honest belief and adds up correctly over independent rows (the log of a product of probabilities is the sum of the logs): the score is the surprise of the truth under your model. Being confidently wrong is punished hard: 0.9 on the right class costs 0.105, 0.1 costs 2.3, 0.001 costs 6.9, which is why the clipping exists; a uniform guess over 121 classes costs ln 121 = 4.80. Lower is better, 0 is perfect."),
            info => new LogLossMetric(info)),
        (new MetricInfo("roc_auc", "ROC AUC", true, s_probabilities, 1,
            "The probability that a randomly chosen row of a class gets a higher score for that class than a randomly chosen row of another class. With two classes it is the area under the ROC curve of the second class; with more it is the unweighted mean of one-vs-rest areas over the classes present. It only judges the ranking, not whether the probabilities are calibrated: 0.5 is random, 1 is perfect."),
            info => new RocAucMetric(info)),
        (new MetricInfo("brier", "Brier score", false, s_probabilities, 0,
            "The mean squared difference between the predicted probabilities (each row divided by its sum) and the truth written as 1 for the true class and 0 for the others. With two classes only the second class's probability is compared (scikit-learn's brier_score_loss); with more, the squares of all classes are added per row. Unlike log loss it never explodes, so one confident mistake costs at most 2."),
            info => new BrierMetric(info)),
        (new MetricInfo("f1_samples", "F1 (per sample)", true, s_multiLabel, 1,
            "For each row, the F1 between the predicted label set and the true label set (twice the number of shared labels divided by the sizes of both sets added), then averaged over rows. A row with no true and no predicted label scores 0, as in scikit-learn 1.2."),
            info => new SamplesF1Metric(info)),
        (new MetricInfo("hamming_loss", "Hamming loss", false, s_multiLabel, 0,
            "The share of (row, class) decisions that are wrong: for each row, the number of classes that are predicted but not true or true but not predicted, divided by the number of classes, averaged over rows. Lower is better, 0 is perfect."),
            info => new HammingLossMetric(info)),
        (new MetricInfo("rmse", "Root mean squared error", false, s_regression, 0,
            "The square root of the mean of the squared differences between prediction and truth, in the target's own unit. Squaring makes large errors weigh much more than small ones. Lower is better."),
            info => new RootMeanSquaredErrorMetric(info)),
        (new MetricInfo("mae", "Mean absolute error", false, s_regression, 0,
            "The mean of the absolute differences between prediction and truth, in the target's own unit. Every unit of error costs the same, so a few outliers matter less than with RMSE. Lower is better."),
            info => new MeanAbsoluteErrorMetric(info)),
        (new MetricInfo("r2", "Coefficient of determination (R²)", true, s_regression, 1,
            "One minus the squared error of the predictions divided by the squared error of always predicting the mean of the truth. 1 is perfect, 0 is no better than that constant, and it can be negative."),
            info => new R2Metric(info)),
        (new MetricInfo("rmsle", "Root mean squared logarithmic error", false, s_regression, 0,
            "RMSE computed on log(1 + value) of predictions and truth, so it measures relative rather than absolute error: predicting 110 for 100 costs about as much as 1,100 for 1,000. Values must be at least 0. Lower is better."),
            info => new RootMeanSquaredLogErrorMetric(info)),
    ];

    public static IReadOnlyList<MetricInfo> All { get; } = s_metrics.Select(m => m.Info).ToArray();

    /// <summary>The metric with this name (case-insensitive), or null.</summary>
    public static MetricInfo? Find(string name) =>
        All.FirstOrDefault(m => string.Equals(m.Name, name.Trim(), StringComparison.OrdinalIgnoreCase));

    public static IEnumerable<MetricInfo> ForKind(TaskKind kind) => All.Where(m => m.TaskKinds.Contains(kind));

    internal static Metric Create(string name)
    {
        var entry = s_metrics.FirstOrDefault(m => string.Equals(m.Info.Name, name.Trim(), StringComparison.OrdinalIgnoreCase));
        if (entry.Info is null)
        {
            throw new ArgumentException($"Unknown metric '{name}'.", nameof(name));
        }
        return entry.Create(entry.Info);
    }

    private static (MetricInfo, Func<MetricInfo, Metric>) Rate(string name, string title, RateKind kind, Averaging averaging, string explanation) =>
        (new MetricInfo(name, title, true, s_classes, 1, explanation + ArgmaxNote), info => new RateMetric(info, kind, averaging));
}
