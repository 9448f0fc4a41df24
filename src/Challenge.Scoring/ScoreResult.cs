namespace Challenge.Scoring;

/// <summary>The scores of one valid submission.</summary>
/// <param name="Metric">Metric name from the catalog.</param>
/// <param name="HigherIsBetter">Direction of the metric, for ranking.</param>
/// <param name="Public">Score on the public rows; null when there are none or the metric is undefined there.</param>
/// <param name="Private">Score on the private rows; null when there are none or the metric is undefined there.</param>
/// <param name="Overall">Score on public and private rows together.</param>
/// <param name="PublicRows">Rows in the public part.</param>
/// <param name="PrivateRows">Rows in the private part.</param>
/// <param name="IgnoredRows">Rows marked Ignored in the solution: required in the file, never scored.</param>
/// <param name="SubmittedRows">Data rows in the submission.</param>
/// <param name="ScorerVersion">The <see cref="Scoring.ScorerVersion.Current"/> that produced these values.</param>
/// <param name="Detail">Per-class detail over all scored rows, for the organizer only; null for regression.</param>
public sealed record ScoreResult(
    string Metric,
    bool HigherIsBetter,
    double? Public,
    double? Private,
    double? Overall,
    int PublicRows,
    int PrivateRows,
    int IgnoredRows,
    int SubmittedRows,
    string ScorerVersion,
    ClassDetail? Detail);

/// <summary>Per-class view of a classification submission over all scored rows.</summary>
/// <param name="Classes">Class names in the task's order.</param>
/// <param name="ConfusionMatrix">[true class][predicted class] counts; null for multi-label tasks.</param>
/// <param name="PerClass">Precision, recall and F1 of each class.</param>
public sealed record ClassDetail(IReadOnlyList<string> Classes, long[][]? ConfusionMatrix, IReadOnlyList<ClassMetrics> PerClass);

/// <summary>One class's counts and rates; a 0/0 rate is reported as 0, as scikit-learn does.</summary>
public sealed record ClassMetrics(string Class, long Support, long Predicted, long TruePositives, double Precision, double Recall, double F1);
