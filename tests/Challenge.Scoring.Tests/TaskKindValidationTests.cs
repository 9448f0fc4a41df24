using System.Text;
using Challenge.Scoring.Validation;

namespace Challenge.Scoring.Tests;

/// <summary>Each refusal of the binary, ranking, multi-label probability, mask and taxonomy tasks, with its line and column.</summary>
public class TaskKindValidationTests
{
    private static readonly TaskDefinition s_binaryTask = new() { Kind = TaskKind.BinaryProbability, Metric = "roc_auc", TargetColumn = "target" };
    private static readonly TaskDefinition s_maskTask = new() { Kind = TaskKind.Mask, Metric = "dice", TargetColumn = "EncodedPixels", ImageWidth = 4, ImageHeight = 3 };
    private static readonly TaskDefinition s_tagsTask = new() { Kind = TaskKind.MultiLabelProbability, Metric = "mean_columnwise_auc" };

    private static readonly Solution s_binary = TestFiles.LoadSolution("id,target\n1,0\n2,1\n3,1\n", s_binaryTask);
    private static readonly Solution s_masks = TestFiles.LoadSolution("Id,EncodedPixels\na,1 3\nb,\n", s_maskTask);
    private static readonly Solution s_tags = TestFiles.LoadSolution("Id,toxic,insult\nx,1,0\ny,0,1\n", s_tagsTask);

    private static ValidationError Single(Solution solution, string submission)
    {
        var outcome = solution.ReadSubmission(TestFiles.Stream(submission));
        Assert.False(outcome.IsValid, "the file should have been rejected");
        Assert.Equal(1, outcome.Report.ErrorCount);
        var error = Assert.Single(outcome.Report.Errors);
        Assert.Equal(MessageAudience.Team, error.Audience);
        return error;
    }

    private static ValidationError SingleSolutionError(string csv, TaskDefinition task)
    {
        var outcome = Solution.Load(TestFiles.Stream(csv), task);
        Assert.False(outcome.IsValid, "the solution should have been rejected");
        var error = Assert.Single(outcome.Report.Errors);
        Assert.Equal(MessageAudience.Organizers, error.Audience);
        return error;
    }

    [Fact]
    public void Binary_single_column_file_is_accepted_and_thresholded()
    {
        var result = TestFiles.Score(s_binary, "id,target\n3,0.9\n1,0.2\n2,0.5\n");
        Assert.Equal(1.0, result.Overall);
        var accuracy = TestFiles.Score(TestFiles.LoadSolution("id,target\n1,0\n2,1\n3,1\n", s_binaryTask with { Metric = "accuracy", Threshold = 0.6 }), "id,target\n3,0.9\n1,0.2\n2,0.5\n");
        Assert.Equal(2 / 3.0, accuracy.Overall!.Value, 1e-15);
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("-0.1")]
    public void Binary_probability_outside_0_1_names_line_and_column(string value)
    {
        var error = Single(s_binary, $"id,target\n1,0.2\n2,{value}\n3,0.7\n");
        Assert.Equal((3, 2), (error.Line, error.Column));
        Assert.Equal($"The probability '{value}' is outside [0, 1]; give the probability of '1'.", error.Message);
    }

    [Fact]
    public void Binary_file_with_one_column_per_class_is_told_the_expected_header()
    {
        var outcome = s_binary.ReadSubmission(TestFiles.Stream("id,0,1\n1,0.8,0.2\n2,0.1,0.9\n3,0.3,0.7\n"));
        var error = outcome.Report.Errors.First(e => e.Column is null);
        Assert.Equal(1, error.Line);
        Assert.Equal("Missing column 'target' in the header. A binary task takes one column, the probability of '1'. Expected: Id,target.", error.Message);
    }

    [Fact]
    public void Binary_solution_target_other_than_0_or_1_names_its_line()
    {
        var error = SingleSolutionError("id,target\n1,0\n2,yes\n", s_binaryTask);
        Assert.Equal((3, 2), (error.Line, error.Column));
        Assert.StartsWith("Unknown class 'yes'.", error.Message);
    }

    [Fact]
    public void Binary_named_classes_score_the_declared_positive_class()
    {
        var task = s_binaryTask with { Classes = ["malignant", "benign"], PositiveClass = "malignant" };
        var solution = TestFiles.LoadSolution("id,target\n1,benign\n2,malignant\n3,benign\n", task);
        Assert.Equal(["benign", "malignant"], solution.Classes);
        Assert.Equal(1.0, TestFiles.Score(solution, "id,target\n1,0.1\n2,0.8\n3,0.3\n").Overall);
    }

    [Theory]
    [InlineData(new[] { "a", "b", "c" }, null, "A binary task has exactly two classes, not 3.")]
    [InlineData(new[] { "a", "b" }, "c", "The positive class 'c' is not one of the two classes (a, b).")]
    public void Binary_class_configuration_is_checked(string[] classes, string? positive, string message)
    {
        var error = SingleSolutionError("id,target\n1,a\n", s_binaryTask with { Classes = classes, PositiveClass = positive });
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Multi_label_probability_outside_0_1_names_line_and_column()
    {
        var error = Single(s_tags, "Id,toxic,insult\nx,0.9,0.1\ny,0.2,1.2\n");
        Assert.Equal((3, 3), (error.Line, error.Column));
        Assert.Equal("The probability '1.2' for class 'insult' is outside [0, 1].", error.Message);
    }

    [Fact]
    public void Multi_hot_solution_cell_must_be_0_or_1()
    {
        var error = SingleSolutionError("Id,toxic,insult\nx,1,0\ny,0,0.5\n", s_tagsTask);
        Assert.Equal((3, 3), (error.Line, error.Column));
        Assert.Equal("A multi-label solution cell must be 0 or 1, not '0.5'.", error.Message);
    }

    [Theory]
    [InlineData("1 x", "Number 2 of the run-length encoding, 'x', is not a whole number.")]
    [InlineData("0 2", "Run 1 starts at pixel 0; pixels are numbered from 1 to 12 (width × height).")]
    [InlineData("13 1", "Run 1 starts at pixel 13; pixels are numbered from 1 to 12 (width × height).")]
    [InlineData("1 2 5 0", "Run 2 has length 0; a run is at least 1 pixel long.")]
    [InlineData("10 4", "Run 1 (start 10, length 4) goes past the last pixel, 12 (width × height).")]
    [InlineData("2 9223372036854775807", "Run 1 (start 2, length 9223372036854775807) goes past the last pixel, 12 (width × height).")]
    [InlineData("1 2 5", "The run-length encoding has an odd count of numbers (3); it must be pairs of start and length.")]
    public void Bad_run_length_encoding_names_line_and_column(string mask, string message)
    {
        var error = Single(s_masks, $"Id,EncodedPixels\na,1 3\nb,{mask}\n");
        Assert.Equal((3, 2), (error.Line, error.Column));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Bad_run_length_encoding_in_the_solution_is_for_organizers()
    {
        var error = SingleSolutionError("Id,EncodedPixels\na,1 3\nb,12 2\n", s_maskTask);
        Assert.Equal((3, 2), (error.Line, error.Column));
        Assert.Equal("Run 1 (start 12, length 2) goes past the last pixel, 12 (width × height).", error.Message);
    }

    [Fact]
    public void Runs_in_any_order_and_overlapping_decode_to_their_union()
    {
        // Truth: pixels 1-3. Prediction: pixels 2-4 given as "3 2" then "2 2" (overlapping, unsorted).
        var result = TestFiles.Score(s_masks, "Id,EncodedPixels\na,3 2 2 2\nb,\n");
        Assert.Equal((2 * 2.0 / 6 + 1) / 2, result.Overall!.Value, 1e-15);
    }

    [Fact]
    public void Mask_task_without_an_image_size_is_refused()
    {
        var error = SingleSolutionError("Id,EncodedPixels\na,1 3\n", s_maskTask with { ImageWidth = 0 });
        Assert.Equal("A mask task needs the image width and height in pixels (both at least 1, at most 2,147,483,647 pixels in all), not 0 × 3.", error.Message);
    }

    [Theory]
    [InlineData("f_beta", "f_beta needs a finite β above 0, not 0.")]
    [InlineData("accuracy_at_depth", "accuracy_at_depth needs the parent of each class (the taxonomy) in the task definition.")]
    public void Task_parameters_are_checked(string metric, string message)
    {
        var error = SingleSolutionError("Id,Category\n1,a\n", new TaskDefinition { Metric = metric, Beta = metric == "f_beta" ? 0 : 1 });
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Threshold_and_depth_out_of_range_are_refused()
    {
        var outcome = Solution.Load(TestFiles.Stream("id,target\n1,0\n"), s_binaryTask with { Threshold = 1.5, Depth = 0 });
        Assert.Equal(
            ["The decision threshold must be between 0 and 1, not 1.5.", "accuracy_at_depth needs a depth of at least 1 (the roots), not 0."],
            outcome.Report.Errors.Select(e => e.Message));
    }

    [Fact]
    public void Taxonomy_with_a_cycle_is_refused()
    {
        var parents = new Dictionary<string, string> { ["a"] = "genus", ["genus"] = "family", ["family"] = "genus" };
        var error = SingleSolutionError("Id,Category\n1,a\n", new TaskDefinition { Metric = "hierarchical_f1", Classes = ["a"], ClassParents = parents });
        Assert.Equal("The class parents form a cycle through 'genus'; each name's chain of parents must end at a root.", error.Message);
    }

    [Fact]
    public void Confusing_two_species_of_one_genus_costs_less_than_confusing_two_phyla()
    {
        var parents = new Dictionary<string, string>
        {
            ["Calanus_finmarchicus"] = "Calanus", ["Calanus_glacialis"] = "Calanus", ["Calanus"] = "Copepoda",
            ["Chaetoceros_socialis"] = "Chaetoceros", ["Chaetoceros"] = "Bacillariophyta",
        };
        var task = new TaskDefinition { Metric = "hierarchical_f1", ClassParents = parents, PublicFraction = 0 };
        var solution = TestFiles.LoadSolution("Id,Category\n1,Calanus_finmarchicus\n2,Chaetoceros_socialis\n3,Calanus_glacialis\n", task);
        double sameGenus = TestFiles.Score(solution, "Id,Category\n1,Calanus_glacialis\n2,Chaetoceros_socialis\n3,Calanus_glacialis\n").Overall!.Value;
        double otherPhylum = TestFiles.Score(solution, "Id,Category\n1,Chaetoceros_socialis\n2,Chaetoceros_socialis\n3,Calanus_glacialis\n").Overall!.Value;
        // Row 1 keeps Copepoda and Calanus (2 of 3 nodes) in the first file, nothing in the second.
        Assert.Equal(8 / 9.0, sameGenus, 1e-15);
        Assert.Equal(6 / 9.0, otherPhylum, 1e-15);
    }

    [Fact]
    public void Ranked_list_counts_only_its_first_k_items_and_never_a_repeat()
    {
        var task = new TaskDefinition { Kind = TaskKind.Ranking, Metric = "map_at_k", TopK = 3, PublicFraction = 0 };
        var solution = TestFiles.LoadSolution("Id,Category\nu1,a b\nu2,c\nu3,\n", task);
        // u1: a at 1, repeat of a at 2 ignored, b at 4 is past k: (1/1) / 2. u2: c at 2: (1/2) / 1. u3: no relevant item: 0.
        var result = TestFiles.Score(solution, "Id,Category\nu1,a a x b\nu2,zzz c\nu3,a\n");
        Assert.Equal((0.5 + 0.5 + 0) / 3, result.Overall!.Value, 1e-15);
    }
}
