using System.Text.Json;
using Challenge.Scoring.Metrics;

namespace Challenge.Scoring.Tests;

/// <summary>Every metric against the values scikit-learn 1.2.1 computed (see tests/fixtures/scoring/generate_fixtures.py).</summary>
public class FixtureTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string folder in Directory.GetDirectories(TestFiles.FixturesDirectory).Order(StringComparer.Ordinal))
        {
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "case.json")));
            foreach (var metric in json.RootElement.GetProperty("expected").EnumerateObject())
            {
                data.Add(Path.GetFileName(folder), metric.Name);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Metric_matches_scikit_learn_on_public_private_and_overall_rows(string caseName, string metric)
    {
        string folder = Path.Combine(TestFiles.FixturesDirectory, caseName);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "case.json")));
        var task = ReadTask(json.RootElement.GetProperty("task"), metric);
        var expected = json.RootElement.GetProperty("expected").GetProperty(metric);

        using var solutionFile = File.OpenRead(Path.Combine(folder, "solution.csv"));
        var solution = Solution.Load(solutionFile, task);
        Assert.True(solution.IsValid, string.Join("\n", solution.Report.Errors));
        using var submissionFile = File.OpenRead(Path.Combine(folder, "submission.csv"));
        var outcome = solution.Value!.Score(submissionFile);
        Assert.True(outcome.IsValid, string.Join("\n", outcome.Report.Errors));
        var result = outcome.Value!;

        double tolerance = metric is "log_loss" or "roc_auc" or "gini" or "mean_columnwise_auc" ? 1e-6 : 1e-9;
        Assert.Equal(metric, result.Metric);
        Assert.Equal(MetricCatalog.Find(metric)!.HigherIsBetter, result.HigherIsBetter);
        AssertClose(expected.GetProperty("public").GetDouble(), result.Public, tolerance, "public");
        AssertClose(expected.GetProperty("private").GetDouble(), result.Private, tolerance, "private");
        AssertClose(expected.GetProperty("overall").GetDouble(), result.Overall, tolerance, "overall");
    }

    [Fact]
    public void Every_metric_in_the_catalog_has_a_fixture()
    {
        var covered = Cases().Select(row => (string)row[1]).ToHashSet();
        var missing = MetricCatalog.All.Select(m => m.Name).Where(name => !covered.Contains(name)).ToArray();
        Assert.Empty(missing);
    }

    private static void AssertClose(double expected, double? actual, double tolerance, string part)
    {
        Assert.True(actual.HasValue, $"{part} score is missing");
        Assert.True(Math.Abs(expected - actual.Value) <= tolerance, $"{part}: expected {expected:R}, got {actual.Value:R}");
    }

    private static TaskDefinition ReadTask(JsonElement task, string metric)
    {
        var classes = task.TryGetProperty("classes", out var c) ? c.EnumerateArray().Select(e => e.GetString()!).ToArray() : null;
        var weights = task.TryGetProperty("classWeights", out var w)
            ? w.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble())
            : null;
        var parents = task.TryGetProperty("classParents", out var tree)
            ? tree.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!)
            : null;
        var defaults = new TaskDefinition();
        return new TaskDefinition
        {
            Kind = Enum.Parse<TaskKind>(task.GetProperty("kind").GetString()!),
            Metric = metric,
            Classes = classes,
            ClassWeights = weights,
            TopK = task.TryGetProperty("topK", out var k) ? k.GetInt32() : 5,
            IdColumn = task.TryGetProperty("idColumn", out var id) ? id.GetString()! : "Id",
            TargetColumn = task.TryGetProperty("targetColumn", out var target) ? target.GetString()! : defaults.TargetColumn,
            PositiveClass = task.TryGetProperty("positiveClass", out var positive) ? positive.GetString() : null,
            Threshold = task.TryGetProperty("threshold", out var threshold) ? threshold.GetDouble() : defaults.Threshold,
            Beta = task.TryGetProperty("beta", out var beta) ? beta.GetDouble() : defaults.Beta,
            ImageWidth = task.TryGetProperty("imageWidth", out var width) ? width.GetInt32() : 0,
            ImageHeight = task.TryGetProperty("imageHeight", out var height) ? height.GetInt32() : 0,
            ClassParents = parents,
            Depth = task.TryGetProperty("depth", out var depth) ? depth.GetInt32() : defaults.Depth,
        };
    }
}

/// <summary>The catalog is what the Evaluation page shows participants.</summary>
public class MetricCatalogTests
{
    [Theory]
    [MemberData(nameof(PropertyTests.AllMetrics), MemberType = typeof(PropertyTests))]
    public void Every_metric_has_a_plain_english_explanation_and_a_title(string metricName)
    {
        var info = MetricCatalog.Find(metricName)!;
        Assert.False(string.IsNullOrWhiteSpace(info.DisplayName));
        Assert.True(info.Explanation.Length > 80, $"{metricName}: the explanation is too short to help a participant");
        Assert.DoesNotContain("TODO", info.Explanation);
        Assert.NotEmpty(info.TaskKinds);
    }
}
