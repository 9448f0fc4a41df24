using System.Text.Json;
using Challenge.Cli;

namespace Challenge.Scoring.Tests;

/// <summary>The <c>challenge score</c> command run in-process, as organizers and outside checks use it.</summary>
public class ScoreCommandTests
{
    private static string Case(string name, string file) => Path.Combine(TestFiles.FixturesDirectory, name, file);

    private static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exitCode = CliApp.Run(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    [Fact]
    public void Json_output_has_the_documented_shape_and_the_fixture_values()
    {
        var (exitCode, output, _) = Run("score", "--solution", Case("eurosat_balanced", "solution.csv"), "--submission", Case("eurosat_balanced", "submission.csv"), "--metric", "f1_macro", "--json");
        Assert.Equal(0, exitCode);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        using var expected = JsonDocument.Parse(File.ReadAllText(Case("eurosat_balanced", "case.json")));
        var f1 = expected.RootElement.GetProperty("expected").GetProperty("f1_macro");
        Assert.Equal("f1_macro", root.GetProperty("metric").GetString());
        Assert.True(root.GetProperty("higherIsBetter").GetBoolean());
        Assert.Equal(f1.GetProperty("public").GetDouble(), root.GetProperty("public").GetDouble(), 1e-12);
        Assert.Equal(f1.GetProperty("private").GetDouble(), root.GetProperty("private").GetDouble(), 1e-12);
        Assert.Equal(f1.GetProperty("overall").GetDouble(), root.GetProperty("overall").GetDouble(), 1e-12);
        Assert.Equal(600, root.GetProperty("rows").GetInt32());
        Assert.Equal(600, root.GetProperty("publicRows").GetInt32() + root.GetProperty("privateRows").GetInt32() + root.GetProperty("ignoredRows").GetInt32());
        Assert.Equal(ScorerVersion.Current, root.GetProperty("scorerVersion").GetString());
        Assert.Equal(1, output.Count(c => c == '\n'));
    }

    [Fact]
    public void Rejected_submission_exits_with_2_and_lists_errors()
    {
        string submission = Path.GetTempFileName();
        try
        {
            File.WriteAllText(submission, "Id,Category\n1000,Forest\n1000,Forest\nnope,River\n");
            var (exitCode, output, _) = Run("score", "--solution", Case("eurosat_balanced", "solution.csv"), "--submission", submission, "--metric", "accuracy", "--json");
            Assert.Equal(2, exitCode);
            using var json = JsonDocument.Parse(output);
            var errors = json.RootElement.GetProperty("errors");
            Assert.Equal(3, json.RootElement.GetProperty("errorCount").GetInt32());
            Assert.Equal(3, errors[0].GetProperty("line").GetInt32());
            Assert.Equal(1, errors[0].GetProperty("column").GetInt32());
            Assert.Equal("Id '1000' appears more than once; give exactly one prediction per Id.", errors[0].GetProperty("message").GetString());
            Assert.Equal("Id 'nope' is not in the solution.", errors[1].GetProperty("message").GetString());
            Assert.Equal(JsonValueKind.Null, errors[2].GetProperty("line").ValueKind);
            Assert.Equal("submission", json.RootElement.GetProperty("file").GetString());
        }
        finally
        {
            File.Delete(submission);
        }
    }

    [Fact]
    public void Solution_without_usage_column_is_split_by_fraction_and_seed()
    {
        string solution = Path.GetTempFileName();
        string submission = Path.GetTempFileName();
        try
        {
            File.WriteAllText(solution, "Id,Label\n" + string.Concat(Enumerable.Range(0, 10).Select(i => $"{i},{i * 1.5}\n")));
            File.WriteAllText(submission, "id,label\n" + string.Concat(Enumerable.Range(0, 10).Select(i => $"{i},{i * 1.5 + 1}\n")));
            var (exitCode, output, _) = Run("score", "--solution", solution, "--submission", submission, "--metric", "mae", "--task-type", "regression", "--target-column", "Label", "--public-fraction", "0.5", "--seed", "3", "--json");
            Assert.Equal(0, exitCode);
            using var json = JsonDocument.Parse(output);
            Assert.Equal(5, json.RootElement.GetProperty("publicRows").GetInt32());
            Assert.Equal(1.0, json.RootElement.GetProperty("overall").GetDouble(), 1e-12);
            Assert.False(json.RootElement.GetProperty("higherIsBetter").GetBoolean());
        }
        finally
        {
            File.Delete(solution);
            File.Delete(submission);
        }
    }

    [Fact]
    public void Text_output_with_detail_and_bootstrap()
    {
        var (exitCode, output, _) = Run("score", "--solution", Case("rov_floor_weighted", "solution.csv"), "--submission", Case("rov_floor_weighted", "submission.csv"),
            "--metric", "weighted_accuracy", "--class-weights", "sandy=1,muddy=2,muddy-sand=3,reef=5", "--bootstrap", "100", "--detail");
        Assert.Equal(0, exitCode);
        Assert.Contains("metric   weighted_accuracy (higher is better)", output);
        Assert.Contains("private 95% bootstrap interval:", output);
        Assert.Contains("muddy-sand", output);
    }

    [Fact]
    public void Probability_detail_in_json_carries_the_confusion_matrix()
    {
        var (exitCode, output, _) = Run("score", "--solution", Case("three_class_unnormalised", "solution.csv"), "--submission", Case("three_class_unnormalised", "submission.csv"),
            "--metric", "log_loss", "--task-type", "probability", "--detail", "--json");
        Assert.Equal(0, exitCode);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(3, json.RootElement.GetProperty("perClass").GetArrayLength());
        Assert.Equal(3, json.RootElement.GetProperty("confusionMatrix").GetArrayLength());
    }

    [Theory]
    [InlineData("roc_auc")]
    [InlineData("log_loss")]
    [InlineData("brier")]
    public void Binary_single_column_file_gives_scikit_learns_values_on_public_and_private_rows(string metric)
    {
        var (exitCode, output, error) = Run("score", "--solution", Case("binary_single_column", "solution.csv"), "--submission", Case("binary_single_column", "submission.csv"),
            "--metric", metric, "--task-type", "binary", "--target-column", "target", "--json");
        Assert.True(exitCode == 0, error + output);
        using var json = JsonDocument.Parse(output);
        using var expected = JsonDocument.Parse(File.ReadAllText(Case("binary_single_column", "case.json")));
        var values = expected.RootElement.GetProperty("expected").GetProperty(metric);
        Assert.Equal(values.GetProperty("public").GetDouble(), json.RootElement.GetProperty("public").GetDouble(), 1e-6);
        Assert.Equal(values.GetProperty("private").GetDouble(), json.RootElement.GetProperty("private").GetDouble(), 1e-6);
    }

    /// <summary>Each case added for the new task kinds, scored through the command line with the options its task needs.</summary>
    [Theory]
    [InlineData("binary_named_classes", "f_beta", "binary", "--target-column", "target", "--classes", "malignant,benign", "--positive-class", "malignant", "--threshold", "0.3", "--beta", "2")]
    [InlineData("binary_named_classes", "gini", "binary", "--target-column", "target", "--classes", "malignant,benign", "--positive-class", "malignant")]
    [InlineData("binary_single_column", "f1", "binary", "--target-column", "target")]
    [InlineData("eurosat_balanced", "f_beta", "label", "--beta", "2")]
    [InlineData("recommendations_map_at_10", "map_at_k", "ranking", "--target-column", "items", "--top-k", "10")]
    [InlineData("toxic_columnwise_auc", "mean_columnwise_auc", "multilabel-probability")]
    [InlineData("rle_masks_20x15", "dice", "mask", "--id-column", "ImageId", "--target-column", "EncodedPixels", "--image-size", "20x15")]
    [InlineData("rle_masks_20x15", "iou", "mask", "--id-column", "ImageId", "--target-column", "EncodedPixels", "--image-size", "20x15")]
    [InlineData("regression_zeros_and_ties", "smape", "regression")]
    [InlineData("regression_zeros_and_ties", "spearman", "regression")]
    [InlineData("plankton_taxonomy_genus", "accuracy_at_depth", "label", "--depth", "3", "--class-parents",
        "Calanus_finmarchicus=Calanus,Calanus_glacialis=Calanus,Oithona_similis=Oithona,Calanus=Copepoda,Oithona=Copepoda,Copepoda=Crustacea,Chaetoceros_socialis=Chaetoceros,Chaetoceros_debilis=Chaetoceros,Thalassiosira_nordenskioeldii=Thalassiosira,Chaetoceros=Bacillariophyta,Thalassiosira=Bacillariophyta")]
    [InlineData("plankton_taxonomy_genus", "hierarchical_f1", "label", "--class-parents",
        "Calanus_finmarchicus=Calanus,Calanus_glacialis=Calanus,Oithona_similis=Oithona,Calanus=Copepoda,Oithona=Copepoda,Copepoda=Crustacea,Chaetoceros_socialis=Chaetoceros,Chaetoceros_debilis=Chaetoceros,Thalassiosira_nordenskioeldii=Thalassiosira,Chaetoceros=Bacillariophyta,Thalassiosira=Bacillariophyta")]
    public void New_task_kinds_and_metrics_score_from_the_command_line(string caseName, string metric, string taskType, params string[] options)
    {
        string[] args = ["score", "--solution", Case(caseName, "solution.csv"), "--submission", Case(caseName, "submission.csv"), "--metric", metric, "--task-type", taskType, "--json", .. options];
        var (exitCode, output, error) = Run(args);
        Assert.True(exitCode == 0, error + output);
        using var json = JsonDocument.Parse(output);
        using var expected = JsonDocument.Parse(File.ReadAllText(Case(caseName, "case.json")));
        var values = expected.RootElement.GetProperty("expected").GetProperty(metric);
        foreach (string part in new[] { "public", "private", "overall" })
        {
            Assert.Equal(values.GetProperty(part).GetDouble(), json.RootElement.GetProperty(part).GetDouble(), 1e-6);
        }
    }

    [Theory]
    [InlineData("dice", "mask", "mask tasks need --image-size")]
    [InlineData("hierarchical_f1", "label", "hierarchical_f1 needs --class-parents")]
    public void New_task_options_that_are_missing_are_named(string metric, string taskType, string message)
    {
        var (exitCode, _, error) = Run("score", "--solution", Case("eurosat_balanced", "solution.csv"), "--submission", Case("eurosat_balanced", "submission.csv"), "--metric", metric, "--task-type", taskType);
        Assert.Equal(1, exitCode);
        Assert.Contains(message, error);
    }

    [Theory]
    [InlineData("accuracy_score", "unknown metric 'accuracy_score'")]
    [InlineData("log_loss", "metric 'log_loss' does not apply to --task-type label; use --task-type probability or binary.")]
    [InlineData("weighted_accuracy", "weighted_accuracy needs --class-weights")]
    public void Usage_mistakes_exit_with_1(string metric, string message)
    {
        var (exitCode, _, error) = Run("score", "--solution", Case("eurosat_balanced", "solution.csv"), "--submission", Case("eurosat_balanced", "submission.csv"), "--metric", metric);
        Assert.Equal(1, exitCode);
        Assert.Contains(message, error);
    }

    [Fact]
    public void Missing_file_and_missing_option_exit_with_1()
    {
        var (exitCode, _, error) = Run("score", "--solution", "/nonexistent/solution.csv", "--submission", Case("eurosat_balanced", "submission.csv"), "--metric", "accuracy");
        Assert.Equal(1, exitCode);
        Assert.StartsWith("error:", error);
        Assert.Equal(1, Run("score", "--solution", Case("eurosat_balanced", "solution.csv")).ExitCode);
    }
}
