using System.Globalization;
using System.Text;
using Challenge.Scoring.Metrics;

namespace Challenge.Scoring.Tests;

/// <summary>Properties every metric must have, whatever scikit-learn says about particular data.</summary>
public class PropertyTests
{
    private const int Rows = 300;
    private static readonly string[] s_classes = ["reef", "sandy", "muddy", "muddy-sand"];

    private static readonly Dictionary<string, string> s_parents = new() { ["sandy"] = "soft", ["muddy"] = "soft", ["muddy-sand"] = "muddy", ["reef"] = "hard" };

    public static TheoryData<string> AllMetrics()
    {
        var data = new TheoryData<string>();
        foreach (var metric in MetricCatalog.All)
        {
            data.Add(metric.Name);
        }
        return data;
    }

    /// <summary>Every metric with every task kind it applies to.</summary>
    public static TheoryData<string, TaskKind> MetricKinds()
    {
        var data = new TheoryData<string, TaskKind>();
        foreach (var metric in MetricCatalog.All)
        {
            foreach (var kind in metric.TaskKinds)
            {
                data.Add(metric.Name, kind);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(MetricKinds))]
    public void Perfect_submission_gets_the_best_value(string metricName, TaskKind kind)
    {
        var info = MetricCatalog.Find(metricName)!;
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
    [MemberData(nameof(MetricKinds))]
    public void Row_order_does_not_matter(string metricName, TaskKind kind)
    {
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
    [MemberData(nameof(MetricKinds))]
    public void Class_absent_from_the_truth_does_not_crash(string metricName, TaskKind kind)
    {
        if (kind is TaskKind.Regression or TaskKind.Ranking or TaskKind.Mask)
        {
            return;
        }
        var (solutionCsv, _, noisyCsv) = Files(kind, new Random(5));
        if (kind == TaskKind.BinaryProbability)
        {
            // Only negative rows: the ranking metrics have nothing to rank, the others still score.
            var negatives = TestFiles.LoadSolution(solutionCsv.Replace(",1,", ",0,"), Task(kind, metricName));
            var scored = TestFiles.Score(negatives, noisyCsv);
            if (metricName is "roc_auc" or "gini")
            {
                Assert.Null(scored.Overall);
            }
            else
            {
                Assert.True(double.IsFinite(scored.Overall!.Value));
            }
            return;
        }
        var task = Task(kind, metricName) with { Classes = [.. s_classes, "never-seen"] };
        if (task.ClassWeights is { } weights)
        {
            task = task with { ClassWeights = new Dictionary<string, double>(weights) { ["never-seen"] = 4 } };
        }
        var solution = TestFiles.LoadSolution(solutionCsv, task);
        string submission = kind == TaskKind.Probability ? AddZeroColumn(noisyCsv, "never-seen") : noisyCsv;
        if (kind == TaskKind.MultiLabelProbability)
        {
            submission = AddZeroColumn(noisyCsv, "never-seen");
        }
        var result = TestFiles.Score(solution, submission);
        Assert.NotNull(result.Overall);
        Assert.True(double.IsFinite(result.Overall.Value));
        if (kind == TaskKind.MultiLabelProbability)
        {
            Assert.Null(result.Detail);
            return;
        }
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

    [Fact]
    public void One_hot_solution_may_omit_a_declared_class_that_no_hidden_row_holds()
    {
        var task = new TaskDefinition { Kind = TaskKind.Probability, Metric = "log_loss", Classes = ["a", "b", "c"], PublicFraction = 0 };
        var solution = TestFiles.LoadSolution("Id,a,b\n1,1,0\n2,0,1\n", task);
        Assert.Equal(["a", "b", "c"], solution.Classes);

        var result = TestFiles.Score(solution, "Id,a,b,c\n1,0.5,0.25,0.25\n2,0.25,0.5,0.25\n");
        // scikit-learn: log_loss([[1,0,0],[0,1,0]], [[.5,.25,.25],[.25,.5,.25]], labels=[a,b,c]) = ln 2.
        Assert.Equal(Math.Log(2), result.Overall!.Value, 1e-12);

        using var sample = new MemoryStream();
        solution.WriteSampleSubmission(sample);
        Assert.StartsWith("Id,a,b,c", System.Text.Encoding.UTF8.GetString(sample.ToArray()));
    }

    [Fact]
    public void Solution_naming_an_undeclared_class_is_refused_with_its_line()
    {
        var task = new TaskDefinition { Kind = TaskKind.Probability, Metric = "log_loss", Classes = ["a", "b", "c"] };
        var outcome = Solution.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes("Id,Category\n1,a\n2,zebra\n")), task);
        Assert.Null(outcome.Value);
        var error = Assert.Single(outcome.Report.Errors);
        Assert.Equal((3, 2), (error.Line, error.Column));
        Assert.Contains("zebra", error.Message);
    }

    internal static TaskDefinition Task(TaskKind kind, string metric) => new()
    {
        Kind = kind,
        Metric = metric,
        ClassWeights = metric == "weighted_accuracy" ? s_classes.Select((c, i) => (c, w: i + 1.0)).ToDictionary(p => p.c, p => p.w) : null,
        TopK = 2,
        Beta = 2,
        ClassParents = metric is "hierarchical_f1" or "accuracy_at_depth" ? s_parents : null,
        Depth = 2,
        ImageWidth = MaskWidth,
        ImageHeight = MaskHeight,
    };

    private const int MaskWidth = 8;
    private const int MaskHeight = 6;

    /// <summary>A solution, a perfect submission and a noisy one for the kind, with Usage column and string Ids.</summary>
    internal static (string Solution, string Perfect, string Noisy) Files(TaskKind kind, Random random)
    {
        var solution = new StringBuilder("Id,Category,Usage\n");
        bool classColumns = kind is TaskKind.Probability or TaskKind.MultiLabelProbability;
        var perfect = new StringBuilder(classColumns ? "Id," + string.Join(",", s_classes) + "\n" : "Id,Category\n");
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
                case TaskKind.BinaryProbability:
                    int positive = random.NextDouble() < 0.3 ? 1 : 0;
                    double score = Math.Clamp(0.35 * positive + random.NextDouble() * 0.65, 0, 1);
                    solution.Append($"{id},{positive},{usage}\n");
                    perfect.Append($"{id},{positive}\n");
                    noisy.Append(FormattableString.Invariant($"{id},{score:R}\n"));
                    break;
                case TaskKind.MultiLabelProbability:
                    var tags = s_classes.Where((_, k) => k == truth || random.NextDouble() < 0.3).ToArray();
                    solution.Append($"{id},{string.Join(' ', tags)},{usage}\n");
                    perfect.Append(id).Append(string.Concat(s_classes.Select(c => tags.Contains(c) ? ",1" : ",0"))).Append('\n');
                    noisy.Append(id).Append(string.Concat(s_classes.Select(c => "," + Math.Min(1, random.NextDouble() * 0.7 + (tags.Contains(c) ? 0.3 : 0)).ToString("R", CultureInfo.InvariantCulture)))).Append('\n');
                    break;
                case TaskKind.Ranking:
                    var relevant = Enumerable.Range(0, 12).Where(_ => random.NextDouble() < 0.2).Select(k => $"item{k}").Prepend($"item{12 + truth}").Distinct().ToArray();
                    var ranked = relevant.Where(_ => random.NextDouble() < 0.6).Concat([$"item{random.Next(20)}", "item-unknown"]).OrderBy(_ => random.Next()).ToArray();
                    solution.Append($"{id},{string.Join(' ', relevant)},{usage}\n");
                    perfect.Append($"{id},{string.Join(' ', relevant.Reverse())}\n");
                    noisy.Append($"{id},{string.Join(' ', ranked)}\n");
                    break;
                case TaskKind.Mask:
                    int start = random.Next(1, MaskWidth * MaskHeight - 10), length = random.Next(1, 10);
                    string mask = truth == 0 ? "" : $"{start} {length}" + (truth == 3 ? $" {start + length + 1} 1" : "");
                    string shifted = truth == 0 ? (random.NextDouble() < 0.5 ? "" : "1 2") : $"{start + random.Next(0, 2)} {length}";
                    solution.Append($"{id},{mask},{usage}\n");
                    perfect.Append($"{id},{mask}\n");
                    noisy.Append($"{id},{shifted}\n");
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
