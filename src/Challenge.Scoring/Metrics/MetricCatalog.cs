namespace Challenge.Scoring.Metrics;

/// <summary>Every metric the scorer knows, with the text the evaluation page shows.</summary>
public static class MetricCatalog
{
    private static readonly TaskKind[] s_classes = [TaskKind.Label, TaskKind.Probability];
    private static readonly TaskKind[] s_probabilities = [TaskKind.Probability];
    private static readonly TaskKind[] s_multiLabel = [TaskKind.MultiLabel];
    private static readonly TaskKind[] s_regression = [TaskKind.Regression];
    private static readonly TaskKind[] s_classesAndBinary = [TaskKind.Label, TaskKind.Probability, TaskKind.BinaryProbability];
    private static readonly TaskKind[] s_probabilitiesAndBinary = [TaskKind.Probability, TaskKind.BinaryProbability];
    private static readonly TaskKind[] s_binary = [TaskKind.BinaryProbability];
    private static readonly TaskKind[] s_ranking = [TaskKind.Ranking];
    private static readonly TaskKind[] s_multiLabelProbabilities = [TaskKind.MultiLabelProbability];
    private static readonly TaskKind[] s_masks = [TaskKind.Mask];

    private const string ThresholdNote =
        " For a single-probability (binary) submission, a row counts as a prediction of the positive class when its probability is at least the organizer's threshold (0.5 unless set otherwise).";

    private const string ArgmaxNote =
        " For a probability submission, each row counts as a prediction of its most probable class (the first one on ties).";

    private static readonly (MetricInfo Info, Func<MetricInfo, Metric> Create)[] s_metrics =
    [
        (new MetricInfo("accuracy", "Accuracy", true, s_classesAndBinary, 1,
            "The share of rows whose predicted class is the true class. Every row counts the same, so on imbalanced data a model that always predicts the most common class can already look good." + ArgmaxNote + ThresholdNote),
            info => new AccuracyMetric(info)),
        (new MetricInfo("balanced_accuracy", "Balanced accuracy", true, s_classesAndBinary, 1,
            "The average, over the classes present in the truth, of the share of that class's rows that were predicted correctly (its recall). Rare classes weigh as much as common ones, so always predicting the majority class scores only 1 / number of classes." + ArgmaxNote + ThresholdNote),
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
        (new MetricInfo("mcc", "Matthews correlation coefficient", true, s_classesAndBinary, 1,
            "The correlation between predicted and true classes, computed from the whole confusion matrix. It stays informative on imbalanced data: 1 is perfect, 0 is no better than chance (or a constant prediction), -1 is total disagreement." + ArgmaxNote + ThresholdNote),
            info => new MatthewsMetric(info)),
        (new MetricInfo("log_loss", "Log loss", false, s_probabilitiesAndBinary, 0,
            "The average, over rows, of minus the natural logarithm of the probability the submission gave to the true class. Each row is first divided by its sum, then that probability is clipped to [1e-15, 1 - 1e-15]. Why a logarithm? It is the only scoring rule that rewards reporting your honest belief and adds up correctly over independent rows (the log of a product of probabilities is the sum of the logs): the score is the surprise of the truth under your model. Being confidently wrong is punished hard: 0.9 on the right class costs 0.105, 0.1 costs 2.3, 0.001 costs 6.9, which is why the clipping exists; a uniform guess over 121 classes costs ln 121 = 4.80. With a single probability column (binary), the probability given to the true class is p for a positive row and 1 - p for a negative one, so always answering 0.5 costs ln 2 = 0.693. Lower is better, 0 is perfect."),
            info => new LogLossMetric(info)),
        (new MetricInfo("roc_auc", "ROC AUC", true, s_probabilitiesAndBinary, 1,
            "The probability that a randomly chosen row of a class gets a higher score for that class than a randomly chosen row of another class. With two classes (or one probability column) it is the area under the ROC curve of the positive class; with more it is the unweighted mean of one-vs-rest areas over the classes present. It only judges the ranking, not whether the probabilities are calibrated: 0.5 is random, 1 is perfect."),
            info => new RocAucMetric(info)),
        (new MetricInfo("brier", "Brier score", false, s_probabilitiesAndBinary, 0,
            "The mean squared difference between the predicted probabilities (each row divided by its sum) and the truth written as 1 for the true class and 0 for the others. With two classes or a single probability column only the positive class's probability is compared (scikit-learn's brier_score_loss); with more, the squares of all classes are added per row. Unlike log loss it never explodes, so one confident mistake costs at most 2."),
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
        (new MetricInfo("f1", "F1 of the positive class", true, s_binary, 1,
            "The harmonic mean of precision (the share of rows predicted positive that really are positive) and recall (the share of positive rows predicted positive). Only the positive class counts, so predicting every row negative scores 0 however rare the positives are. A row is predicted positive when its probability is at least the organizer's threshold (0.5 unless set otherwise)."),
            info => new FBetaMetric(info, f1OfPositiveClass: true)),
        (new MetricInfo("gini", "Normalised Gini coefficient", true, s_binary, 1,
            "2 × ROC AUC − 1, as in Kaggle's insurance and credit competitions: it only judges how well the probabilities rank positive rows above negative ones. 1 is a perfect ranking, 0 is random, -1 is a perfectly reversed ranking."),
            info => new GiniMetric(info)),
        (new MetricInfo("f_beta", "F-beta", true, s_classesAndBinary, 1,
            "Like F1, a mean of precision and recall, but recall weighs β times as much as precision (β is set by the organizer): F = (1 + β²)·P·R / (β²·P + R). β = 2 favours finding every positive, β = 0.5 favours not raising false alarms, β = 1 is F1. A single probability column (binary) scores the positive class; with classes, F-beta is averaged over the classes present in the truth or the predictions, each counting the same." + ArgmaxNote + ThresholdNote),
            info => new FBetaMetric(info, f1OfPositiveClass: false)),
        (new MetricInfo("hierarchical_f1", "Hierarchical F1", true, s_classes, 1,
            "Each true and predicted class is extended with all its ancestors in the organizer's taxonomy (a species with its genus, family, order...). Hierarchical precision is the share of predicted ancestors that are also true ancestors, hierarchical recall the share of true ancestors that were predicted, both counted over all rows; the score is their harmonic mean (Kiritchenko et al., 2005). Mistaking a species for another of the same genus keeps most of the credit, mistaking a copepod for a diatom keeps none." + ArgmaxNote),
            info => new HierarchicalF1Metric(info)),
        (new MetricInfo("accuracy_at_depth", "Accuracy at a taxonomic depth", true, s_classes, 1,
            "Accuracy after replacing every true and predicted class by its ancestor at the depth the organizer chose in the taxonomy (1 is the top level): at the genus level, predicting the wrong species of the right genus counts as correct. A class that sits higher than that depth stands for itself." + ArgmaxNote),
            info => new AccuracyAtDepthMetric(info)),
        (new MetricInfo("map_at_k", "Mean average precision at k", true, s_ranking, 1,
            "For each row you submit a space-separated list of items, best first; only the first k count (k is set by the organizer). Each time an item of the true set appears in the list (the first time it appears), the precision so far is noted: the number of true items found up to that position divided by the position. A row's score is the sum of those precisions divided by the number of true items (at most k), and the score is the mean over rows. Putting the right items first matters: a hit at position 1 is worth more than the same hit at position 5. A row with no true item scores 0."),
            info => new MapAtKMetric(info)),
        (new MetricInfo("mean_columnwise_auc", "Mean column-wise ROC AUC", true, s_multiLabelProbabilities, 1,
            "Each class has its own probability column, and each column is judged on its own: the ROC AUC of that column is the probability that a random row having the class gets a higher value than a random row without it. The score is the mean over the classes (a class whose rows are all with or all without it is left out). Only the ranking within a column matters, not whether the probabilities are calibrated: 0.5 is random, 1 is perfect."),
            info => new MeanColumnwiseAucMetric(info)),
        (new MetricInfo("mean_squared_error", "Mean squared error", false, s_regression, 0,
            "The mean of the squared differences between prediction and truth (RMSE before the square root), in the square of the target's unit. Large errors weigh much more than small ones. Lower is better."),
            info => new MeanSquaredErrorMetric(info)),
        (new MetricInfo("median_absolute_error", "Median absolute error", false, s_regression, 0,
            "The median of the absolute differences between prediction and truth: half of the rows are off by less than this. A few wild predictions do not move it at all. Lower is better."),
            info => new MedianAbsoluteErrorMetric(info)),
        (new MetricInfo("mape", "Mean absolute percentage error", false, s_regression, 0,
            "The mean of |truth − prediction| / |truth|, as a fraction (0.1 means 10% off on average). A row where truth and prediction are both 0 costs 0; a truth of 0 with any other prediction costs an enormous amount, so this metric suits targets that are never 0. Lower is better."),
            info => new MeanAbsolutePercentageErrorMetric(info)),
        (new MetricInfo("smape", "Symmetric mean absolute percentage error", false, s_regression, 0,
            "Kaggle's SMAPE: the mean over rows of |prediction − truth| divided by the average of |truth| and |prediction|, in percent, from 0 to 200. A row where both are 0 costs 0. Over-predicting and under-predicting by the same amount cost about the same, and one bad row costs at most 200 / number of rows. Lower is better."),
            info => new SymmetricMeanAbsolutePercentageErrorMetric(info)),
        (new MetricInfo("pearson", "Pearson correlation", true, s_regression, 1,
            "The linear correlation between predictions and truth: 1 when the predictions lie on a rising straight line against the truth, 0 when they are unrelated, -1 when they fall as the truth rises. It ignores offset and scale, so predicting twice the truth plus 3 also scores 1. Undefined when all predictions (or all true values) are the same."),
            info => new CorrelationMetric(info, ranks: false)),
        (new MetricInfo("spearman", "Spearman rank correlation", true, s_regression, 1,
            "The Pearson correlation of the ranks: the rows are ordered by truth and by prediction (ties share their average rank) and the two orders are compared. 1 means the predictions put the rows in exactly the right order, whatever the values; -1 the reverse order. Undefined when all predictions (or all true values) are the same."),
            info => new CorrelationMetric(info, ranks: true)),
        (new MetricInfo("dice", "Dice coefficient", true, s_masks, 1,
            "Each row holds a mask in Kaggle's run-length encoding (pairs of 1-based start pixel and length, pixels numbered top to bottom, then left to right). A row's score is twice the number of pixels in both the predicted and the true mask, divided by the pixels of the two masks added; a row where both masks are empty scores 1. The score is the mean over rows, from 0 (no overlap) to 1 (identical masks)."),
            info => new DiceMetric(info)),
        (new MetricInfo("iou", "Intersection over union", true, s_masks, 1,
            "Each row holds a mask in Kaggle's run-length encoding (pairs of 1-based start pixel and length, pixels numbered top to bottom, then left to right). A row's score is the number of pixels in both the predicted and the true mask divided by the number of pixels in either (the Jaccard index); a row where both masks are empty scores 1. The score is the mean over rows. It is always at most the Dice coefficient and punishes partial overlaps harder."),
            info => new IouMetric(info)),
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
