namespace Challenge.Scoring.Metrics;

/// <summary>What the evaluation page says about a metric.</summary>
/// <param name="Name">Name as in scikit-learn's scorer names, e.g. <c>f1_macro</c>.</param>
/// <param name="DisplayName">Human-readable title.</param>
/// <param name="HigherIsBetter">True for scores, false for losses and errors.</param>
/// <param name="TaskKinds">Task kinds whose submissions this metric can score.</param>
/// <param name="BestValue">Value of a perfect submission.</param>
/// <param name="Explanation">One paragraph in plain English for participants.</param>
public sealed record MetricInfo(
    string Name,
    string DisplayName,
    bool HigherIsBetter,
    IReadOnlyList<TaskKind> TaskKinds,
    double BestValue,
    string Explanation);
