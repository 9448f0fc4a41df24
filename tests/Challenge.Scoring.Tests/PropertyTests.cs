using System.Globalization;
using System.Text;
using Challenge.Scoring.Metrics;

namespace Challenge.Scoring.Tests;

/// <summary>Properties every metric must have, whatever scikit-learn says about particular data.</summary>
public class PropertyTests
{
    private const int Rows = 300;
    private static readonly string[] s_classes = ["reef", "sandy", "muddy", "muddy-sand"];

    public static TheoryData<string> AllMetrics()
    {
        var data = new TheoryData<string>();
        foreach (var metric in MetricCatalog.All)
        {
            data.Add(metric.Name);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(AllMetrics))]
    public void Perfect_submission_gets_the_best_value(string metricName)
    {
        var info = MetricCatalog.Find(metricName)!;
        var kind = info.TaskKinds[^1];
        var (solutionCsv, perfectCsv, _) = Files(kind, new Random(1));
        var solution = TestFiles.LoadSolution(solutionCsv, Task(kind, metricName));
        var result = TestFiles.Score(solution, perfectCsv);
        foreach (double? value in new[] { result.Public, result.Private, result.Overall })
        {
            Assert.NotNull(value);
            Assert.Equal(info.BestValue, value.Value, 1e-12);
        }
    }

    [Theory]
    [MemberData(nameof(AllMetrics))]
    public void Row_order_does_not_matter(string metricName)
    {
        var info = MetricCatalog.Find(metricName)!;
        var kind = info.TaskKinds[^1];
        var (solutionCsv, _, noisyCsv) = Files(kind, new Random(2));
        var task = Task(kind, metricName);
        var solution = TestFiles.LoadSolution(solutionCsv, task);
        var reference = TestFiles.Score(solution, noisyCsv);

        var shuffledSubmission = TestFiles.Score(solution, Shuffle(noisyCsv, new Random(3)));
        Assert.Equal(reference, shuffledSubmission with { Detail = reference.Detail });
        Assert.Equal(Json(reference.Detail), Json(shuffledSubmission.Detail));

        // Shuffling the solution's rows changes only the order of floating-point additions.
        var shuffledSolution = TestFiles.LoadSolution(Shuffle(solutionCsv, new Random(4)), task);
        var again = TestFiles.Score(shuffledSolution, noisyCsv);
        Assert.Equal(reference.Public!.Value, again.Public!.Value, 1e-12);
        Assert.Equal(reference.Private!.Value, again.Private!.Value, 1e-12);
        Assert.Equal(reference.Overall!.Value, again.Overall!.Value, 1e-12);
    }

    [Theory]
    [MemberData(nameof(AllMetrics))]
    public void Class_absent_from_the_truth_does_not_crash(string metricName)
    {
        var info = MetricCatalog.Find(metricName)!;
        var kind = info.TaskKinds[^1];
        if (kind == TaskKind.Regression)
        {
            return;
        }
        var (solutionCsv, _, noisyCsv) = Files(kind, new Random(5));
        var task = Task(kind, metricName) with { Classes = [.. s_classes, "never-seen"] };
        if (task.ClassWeights is { } weights)
        {
            task = task with { ClassWeights = new Dictionary<string, double>(weights) { ["never-seen"] = 4 } };
        }
        var solution = TestFiles.LoadSolution(solutionCsv, task);
        string submission = kind == TaskKind.Probability ? AddZeroColumn(noisyCsv, "never-seen") : noisyCsv;
        var result = TestFiles.Score(solution, submission);
        Assert.NotNull(result.Overall);
        Assert.True(double.IsFinite(result.Overall.Value));
        var detail = Assert.IsType<ClassDetail>(result.Detail);
        var absent = detail.PerClass.Single(c => c.Class == "never-seen");
        Assert.Equal((0L, 0.0, 0.0, 0.0), (absent.Support, absent.Precision, absent.Recall, absent.F1));
    }

    [Fact]
    public void Class_predicted_but_absent_from_the_truth_lowers_macro_precision()
    {
        var task = new TaskDefinition { Metric = "precision_macro", Classes = ["a", "b", "c"], PublicFraction = 0 };
        var solution = TestFiles.LoadSolution("Id,Category\n1,a\n2,a\n3,b\n4,b\n", task);
        var result = TestFiles.Score(solution, "Id,Category\n1,a\n2,c\n3,b\n4,b\n");
        // scikit-learn: classes a, b, c present in truth or prediction; precision 1, 1, 0.
        Assert.Equal(2.0 / 3, result.Overall!.Value, 1e-15);
        Assert.Null(result.Public);
    }

    internal static TaskDefinition Task(TaskKind kind, string metric) => new()
    {
        Kind = kind,
        Metric = metric,
        ClassWeights = metric == "weighted_accuracy" ? s_classes.Select((c, i) => (c, w: i + 1.0)).ToDictionary(p => p.c, p => p.w) : null,
        TopK = 2,
    };

    /// <summary>A solution, a perfect submission and a noisy one for the kind, with Usage column and string Ids.</summary>
    internal static (string Solution, string Perfect, string Noisy) Files(TaskKind kind, Random random)
    {
        var solution = new StringBuilder("Id,Category,Usage\n");
        var perfect = new StringBuilder(kind == TaskKind.Probability ? "Id," + string.Join(",", s_classes) + "\n" : "Id,Category\n");
        var noisy = new StringBuilder(perfect.ToString());
        for (int i = 0; i < Rows; i++)
        {
            string id = $"tile-{i:D4}";
            string usage = i % 10 == 9 ? "Ignored" : i % 3 == 0 ? "Public" : "Private";
            int truth = random.Next(s_classes.Length);
            int guess = random.NextDouble() < 0.7 ? truth : random.Next(s_classes.Length);
            switch (kind)
            {
                case TaskKind.Label:
                    solution.Append($"{id},{s_classes[truth]},{usage}\n");
                    perfect.Append($"{id},{s_classes[truth]}\n");
                    noisy.Append($"{id},{s_classes[guess]}\n");
                    break;
                case TaskKind.Probability:
                    solution.Append($"{id},{s_classes[truth]},{usage}\n");
                    perfect.Append(id).Append(string.Concat(s_classes.Select((_, k) => k == truth ? ",1" : ",0"))).Append('\n');
                    noisy.Append(id).Append(string.Concat(s_classes.Select((_, k) => "," + (random.NextDouble() + (k == guess ? 1 : 0)).ToString("R", CultureInfo.InvariantCulture)))).Append('\n');
                    break;
                case TaskKind.MultiLabel:
                    var labels = s_classes.Where((_, k) => k == truth || random.NextDouble() < 0.3).ToArray();
                    var guessed = s_classes.Where((c, k) => labels.Contains(c) ? random.NextDouble() < 0.8 : random.NextDouble() < 0.1).ToArray();
                    solution.Append($"{id},{string.Join(' ', labels)},{usage}\n");
                    perfect.Append($"{id},{string.Join(' ', labels.Reverse())}\n");
                    noisy.Append($"{id},{string.Join(' ', guessed)}\n");
                    break;
                case TaskKind.Regression:
                    double value = Math.Round(random.NextDouble() * 100, 3);
                    solution.Append(FormattableString.Invariant($"{id},{value},{usage}\n"));
                    perfect.Append(FormattableString.Invariant($"{id},{value}\n"));
                    noisy.Append(FormattableString.Invariant($"{id},{value * (0.8 + random.NextDouble() * 0.4)}\n"));
                    break;
            }
        }
        return (solution.ToString(), perfect.ToString(), noisy.ToString());
    }

    private static string Shuffle(string csv, Random random)
    {
        var lines = csv.TrimEnd('\n').Split('\n');
        var body = lines.Skip(1).OrderBy(_ => random.Next()).ToArray();
        return lines[0] + "\n" + string.Join("\n", body) + "\n";
    }

    private static string AddZeroColumn(string csv, string name)
    {
        var lines = csv.TrimEnd('\n').Split('\n');
        return string.Concat(lines.Select((line, i) => line + (i == 0 ? "," + name : ",0") + "\n"));
    }

    private static string Json(ClassDetail? detail) => System.Text.Json.JsonSerializer.Serialize(detail);
}
