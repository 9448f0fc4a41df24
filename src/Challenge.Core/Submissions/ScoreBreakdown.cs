using Challenge.Core.Annotations;
using Challenge.Core.Tasks;
using Challenge.Scoring.Metrics;

namespace Challenge.Core.Submissions;

/// <summary>One line of a score's breakdown: the private value is null until the reveal.</summary>
public sealed record ScoreComponent(string Name, double? Public, double? Private);

/// <summary>
/// What a submission's score is made of, as its team may see it: the metric on the public part
/// (and on the private part once revealed) and, for annotation tasks, every variable a ranking
/// formula can use (labelled images, honeypot accuracy, box F1...). Per-class detail stays with
/// the organizers: over all rows it would tell a team how it does on the hidden private part.
/// </summary>
public static class ScoreBreakdown
{
    public static IReadOnlyList<ScoreComponent> For(Submission submission, CompetitionTask task, bool privateRevealed)
    {
        if (submission.Status != SubmissionStatus.Scored)
        {
            return [];
        }
        var metricName = task.Family == TaskFamily.Predictions
            ? MetricCatalog.Find(task.Metric)?.DisplayName ?? task.Metric
            : AnnotationMetrics.Find(task.Metric)?.DisplayName ?? task.Metric;
        var headline = task.RankingFormula is { } formula ? $"Ranking formula: {formula}" : metricName;
        var components = new List<ScoreComponent> { new(headline, submission.PublicScore, privateRevealed ? submission.PrivateScore : null) };
        if (task.Family == TaskFamily.Predictions || submission.DetailJson is null
            || AnnotationSubmissionScorer.ReadVariables(submission.DetailJson) is not { } parts || !parts.TryGetValue("public", out var publicPart))
        {
            return components;
        }
        var privatePart = privateRevealed ? parts.GetValueOrDefault("private") : null;
        foreach (var (name, value) in publicPart)
        {
            components.Add(new(name, value, privatePart is not null && privatePart.TryGetValue(name, out var hidden) ? hidden : null));
        }
        return components;
    }
}
