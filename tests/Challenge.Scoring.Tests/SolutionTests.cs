using System.Text;
using Challenge.Scoring.Validation;

namespace Challenge.Scoring.Tests;

public class SolutionTests
{
    private static string ManyRows(int count, Func<int, string> id) =>
        "Id,Category\n" + string.Concat(Enumerable.Range(0, count).Select(i => $"{id(i)},{(i % 2 == 0 ? "a" : "b")}\n"));

    private static HashSet<string> PublicIds(Solution solution) =>
        Enumerable.Range(0, solution.RowCount).Where(r => solution.Usage[r] == RowUsage.Public).Select(solution.GetId).ToHashSet();

    [Fact]
    public void Seeded_split_has_the_exact_public_share_and_ignores_row_order()
    {
        var task = new TaskDefinition { PublicFraction = 0.3, Seed = 11 };
        string csv = ManyRows(1001, i => $"img{i}");
        var solution = TestFiles.LoadSolution(csv, task);
        Assert.False(solution.HasUsageColumn);
        Assert.Equal(300, solution.PublicRowCount);
        Assert.Equal(701, solution.PrivateRowCount);

        var lines = csv.TrimEnd('\n').Split('\n');
        string reversed = lines[0] + "\n" + string.Join("\n", lines.Skip(1).Reverse()) + "\n";
        Assert.Equal(PublicIds(solution), PublicIds(TestFiles.LoadSolution(reversed, task)));
        Assert.NotEqual(PublicIds(solution), PublicIds(TestFiles.LoadSolution(csv, task with { Seed = 12 })));
    }

    [Fact]
    public void Usage_column_decides_the_parts_and_ignored_rows_are_never_scored()
    {
        var solution = TestFiles.LoadSolution("Id,Category,Usage\n1,a,Public\n2,b,private\n3,a,Ignored\n4,b,PRIVATE\n", new TaskDefinition());
        Assert.Equal((1, 2, 1), (solution.PublicRowCount, solution.PrivateRowCount, solution.IgnoredRowCount));
        var result = TestFiles.Score(solution, "Id,Category\n1,a\n2,b\n3,b\n4,a\n");
        Assert.Equal((1.0, 0.5, 2.0 / 3), (result.Public!.Value, result.Private!.Value, result.Overall!.Value));
        Assert.Equal(4, result.SubmittedRows);
        Assert.Equal(ScorerVersion.Current, result.ScorerVersion);
    }

    [Fact]
    public void Classes_found_in_the_solution_are_sorted_numerically_when_they_are_numbers()
    {
        var solution = TestFiles.LoadSolution("Id,Category\n1,10\n2,9\n3,2\n4,9\n", new TaskDefinition());
        Assert.Equal(["2", "9", "10"], solution.Classes);
        var text = TestFiles.LoadSolution("Id,Category\n1,b\n2,B\n3,a\n", new TaskDefinition());
        Assert.Equal(["B", "a", "b"], text.Classes);
    }

    [Fact]
    public void Ids_are_compared_as_text()
    {
        var solution = TestFiles.LoadSolution("Id,Category\n7,a\n8,b\n", new TaskDefinition());
        var outcome = solution.ReadSubmission(TestFiles.Stream("Id,Category\n007,a\n8,b\n"));
        Assert.Equal("Id '007' is not in the solution.", outcome.Report.Errors[0].Message);
    }

    [Fact]
    public void Mixed_numeric_and_text_Ids_are_all_found()
    {
        string csv = "Id,Category\n" + string.Concat(Enumerable.Range(0, 50).Select(i => $"{i},a\n")) + "x-1,b\n0042x,a\n";
        var solution = TestFiles.LoadSolution(csv, new TaskDefinition());
        string submission = "Id,Category\n0042x,a\nx-1,b\n" + string.Concat(Enumerable.Range(0, 50).Select(i => $"{49 - i},a\n"));
        Assert.Equal(1.0, TestFiles.Score(solution, submission).Overall);
    }

    [Fact]
    public void Sample_submission_is_valid_and_reveals_nothing()
    {
        foreach (var kind in Enum.GetValues<TaskKind>())
        {
            string metric = Metrics.MetricCatalog.ForKind(kind).First().Name;
            var (solutionCsv, _, _) = PropertyTests.Files(kind, new Random(9));
            var solution = TestFiles.LoadSolution(solutionCsv, PropertyTests.Task(kind, metric));
            var output = new MemoryStream();
            solution.WriteSampleSubmission(output);
            string sample = Encoding.UTF8.GetString(output.ToArray());
            var result = TestFiles.Score(solution, sample);
            Assert.Equal(solution.RowCount, result.SubmittedRows);
            Assert.DoesNotContain("\uFEFF", sample);
        }
    }

    [Fact]
    public void Probability_sample_submission_is_uniform()
    {
        var solution = TestFiles.LoadSolution("Id,Category\nx,cat\ny,dog\n", new TaskDefinition { Kind = TaskKind.Probability, Metric = "log_loss" });
        var output = new MemoryStream();
        solution.WriteSampleSubmission(output);
        Assert.Equal("Id,cat,dog\nx,0.5,0.5\ny,0.5,0.5\n", Encoding.UTF8.GetString(output.ToArray()));
        Assert.Equal(Math.Log(2), TestFiles.Score(solution, Encoding.UTF8.GetString(output.ToArray())).Overall!.Value, 1e-15);
    }

    [Fact]
    public void One_hot_probability_solution_is_accepted()
    {
        var task = new TaskDefinition { Kind = TaskKind.Probability, Metric = "accuracy" };
        var solution = TestFiles.LoadSolution("Id,cat,dog,Usage\nx,1,0,Public\ny,0,1,Private\n", task);
        Assert.Equal(["cat", "dog"], solution.Classes);
        Assert.Equal(1.0, TestFiles.Score(solution, "Id,dog,cat\nx,0.2,0.8\ny,3,1\n").Overall);
    }

    [Fact]
    public void Duplicate_Id_in_the_solution_names_both_lines()
    {
        var outcome = Solution.Load(TestFiles.Stream("Id,Category\n1,a\n2,b\n1,b\n"), new TaskDefinition());
        Assert.Equal(new ValidationError(4, 1, "Id '1' appears more than once (first on line 2).", MessageAudience.Organizers), Assert.Single(outcome.Report.Errors));
    }

    [Fact]
    public void Bad_usage_value_is_explained()
    {
        var outcome = Solution.Load(TestFiles.Stream("Id,Category,Usage\n1,a,Public\n2,b,Secret\n"), new TaskDefinition());
        Assert.Equal(new ValidationError(3, 3, "Usage must be Public, Private or Ignored, not 'Secret'.", MessageAudience.Organizers), Assert.Single(outcome.Report.Errors));
    }

    [Fact]
    public void Configuration_problems_come_back_as_a_report_not_an_exception()
    {
        var unknown = Solution.Load(TestFiles.Stream("Id,Category\n1,a\n"), new TaskDefinition { Metric = "accuracy_score" });
        Assert.StartsWith("Unknown metric 'accuracy_score'. Known metrics: accuracy, balanced_accuracy,", unknown.Report.Errors[0].Message);

        var wrongKind = Solution.Load(TestFiles.Stream("Id,Category\n1,a\n"), new TaskDefinition { Metric = "log_loss" });
        Assert.Equal("Metric 'log_loss' does not apply to Label tasks; it applies to: Probability, BinaryProbability.", wrongKind.Report.Errors[0].Message);

        var noWeights = Solution.Load(TestFiles.Stream("Id,Category\n1,a\n2,b\n"), new TaskDefinition { Metric = "weighted_accuracy", ClassWeights = new Dictionary<string, double> { ["a"] = 1 } });
        Assert.Equal("Class weights are missing for: b.", Assert.Single(noWeights.Report.Errors).Message);
    }

    [Fact]
    public void Weighted_accuracy_weighs_each_row_by_its_true_class()
    {
        var task = new TaskDefinition { Metric = "weighted_accuracy", ClassWeights = new Dictionary<string, double> { ["reef"] = 5, ["sandy"] = 1 }, PublicFraction = 0 };
        var solution = TestFiles.LoadSolution("Id,Category\n1,reef\n2,sandy\n3,sandy\n4,sandy\n", task);
        var result = TestFiles.Score(solution, "Id,Category\n1,reef\n2,reef\n3,sandy\n4,sandy\n");
        Assert.Equal(7.0 / 8, result.Overall!.Value, 1e-15);
    }

    [Fact]
    public void Multi_label_detail_counts_each_class()
    {
        var task = new TaskDefinition { Kind = TaskKind.MultiLabel, Metric = "f1_samples", PublicFraction = 0 };
        var solution = TestFiles.LoadSolution("Id,Category\n1,algae fauna\n2,\n3,waste\n", task);
        var result = TestFiles.Score(solution, "Id,Category\n1,fauna\n2,waste\n3,waste  algae\n");
        var detail = result.Detail!;
        Assert.Null(detail.ConfusionMatrix);
        var waste = detail.PerClass.Single(c => c.Class == "waste");
        Assert.Equal((1L, 2L, 1L), (waste.Support, waste.Predicted, waste.TruePositives));
        // Rows: 2*1/(1+2)=2/3, no true label and a wrong one: 0, 2*1/(1+2)=2/3.
        Assert.Equal(4.0 / 9, result.Overall!.Value, 1e-15);
    }

    [Fact]
    public void Label_detail_has_the_confusion_matrix_in_class_order()
    {
        var solution = TestFiles.LoadSolution("Id,Category\n1,a\n2,a\n3,b\n", new TaskDefinition { PublicFraction = 0 });
        var detail = TestFiles.Score(solution, "Id,Category\n1,a\n2,b\n3,b\n").Detail!;
        Assert.Equal([[1L, 1L], [0L, 1L]], detail.ConfusionMatrix!);
        Assert.Equal((0.5, 1.0), (detail.PerClass[1].Precision, detail.PerClass[1].Recall));
    }

    [Fact]
    public void Quoted_BOM_CRLF_submission_is_read_like_a_plain_one()
    {
        var solution = TestFiles.LoadSolution("Id,Category\nimg 1,\"Sea, Lake\"\nimg 2,River\n", new TaskDefinition());
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("\"Id\",\"Category\"\r\n\"img 2\",\"River\"\r\n\"img 1\",\"Sea, Lake\"\r\n")).ToArray();
        Assert.Equal(1.0, solution.Score(new MemoryStream(bytes)).Value!.Overall);
    }
}
