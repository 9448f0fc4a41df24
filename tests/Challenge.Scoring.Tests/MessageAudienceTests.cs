using Challenge.Scoring.Metrics;
using Challenge.Scoring.Validation;

namespace Challenge.Scoring.Tests;

/// <summary>Which messages a team may read: its own file's errors, never the solution's or a metric's internals.</summary>
public class MessageAudienceTests
{
    private const string SecretId = "patient-0042";
    private const string SecretLabel = "malignant";

    /// <summary>A metric that fails the way a real bug would, with an exception quoting solution content.</summary>
    private sealed class PlantedFailureMetric(MetricInfo info) : Metric(info)
    {
        public override double Evaluate(Submission submission, ReadOnlySpan<int> rows) =>
            throw new InvalidOperationException($"Unexpected truth '{SecretLabel}' for Id '{SecretId}' at row {rows[0]}.");
    }

    [Fact]
    public void A_failure_inside_a_metric_reaches_the_team_as_a_neutral_message()
    {
        var task = new TaskDefinition { Metric = "accuracy" };
        var solution = TestFiles.LoadSolution($"Id,Category\n{SecretId},{SecretLabel}\nother,benign\n", task);
        var submission = TestFiles.Read(solution, $"Id,Category\n{SecretId},benign\nother,benign\n");
        var planted = new PlantedFailureMetric(MetricCatalog.Find("accuracy")!);

        var failure = Assert.Throws<ScoringFailedException>(() => Scorer.Score(submission, planted));

        Assert.Equal(ScoringFailedException.NeutralMessage, failure.TeamMessage);
        Assert.DoesNotContain(SecretId, failure.TeamMessage);
        Assert.DoesNotContain(SecretLabel, failure.TeamMessage);
        // The organizers get the cause, with the metric's name.
        Assert.Contains(SecretId, failure.OrganizerMessage);
        Assert.Contains("accuracy", failure.OrganizerMessage);
        Assert.IsType<InvalidOperationException>(failure.InnerException);
    }

    [Fact]
    public void Solution_errors_are_for_organizers_and_submission_errors_for_the_team()
    {
        var badSolution = Solution.Load(TestFiles.Stream($"Id,Category\n{SecretId},{SecretLabel}\n{SecretId},benign\n"), new TaskDefinition());
        var solutionError = Assert.Single(badSolution.Report.Errors);
        Assert.Contains(SecretId, solutionError.Message);
        Assert.Equal(MessageAudience.Organizers, solutionError.Audience);

        var solution = TestFiles.LoadSolution($"Id,Category\n{SecretId},{SecretLabel}\nother,benign\n", new TaskDefinition());
        var rejected = solution.ReadSubmission(TestFiles.Stream("Id,Category\nmine,benign\n"));
        Assert.All(rejected.Report.Errors, e => Assert.Equal(MessageAudience.Team, e.Audience));
    }
}
