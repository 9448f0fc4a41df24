using System.Text;
using Challenge.Scoring.Validation;

namespace Challenge.Scoring.Tests;

/// <summary>Each rejection the issue lists, checked for its message and its line.</summary>
public class ValidationTests
{
    private static readonly TaskDefinition s_labelTask = new() { Kind = TaskKind.Label, Metric = "accuracy" };
    private static readonly TaskDefinition s_probabilityTask = new() { Kind = TaskKind.Probability, Metric = "log_loss" };

    private static readonly Solution s_labels = TestFiles.LoadSolution(
        "Id,Category\n1,Forest\n2,River\n3,Forest\n4,SeaLake\n5,River\n", s_labelTask);

    private static readonly Solution s_probabilities = TestFiles.LoadSolution(
        "Id,Category\na,cat\nb,dog\nc,cat\n", s_probabilityTask);

    private static ValidationReport Reject(Solution solution, string submission) => Reject(solution, Encoding.UTF8.GetBytes(submission));

    private static ValidationReport Reject(Solution solution, byte[] submission)
    {
        var outcome = solution.ReadSubmission(new MemoryStream(submission));
        Assert.False(outcome.IsValid, "the file should have been rejected");
        Assert.Null(outcome.Value);
        Assert.Equal(outcome.Report.ErrorCount, Math.Max(outcome.Report.ErrorCount, outcome.Report.Errors.Count));
        return outcome.Report;
    }

    private static ValidationError Single(ValidationReport report)
    {
        Assert.Equal(1, report.ErrorCount);
        return Assert.Single(report.Errors);
    }

    [Fact]
    public void Missing_header_column_is_named_on_line_1()
    {
        var error = Single(Reject(s_labels, "Id\n1\n2\n3\n4\n5\n"));
        Assert.Equal(1, error.Line);
        Assert.Equal("Missing column 'Category' in the header. Expected: Id,Category.", error.Message);
    }

    [Fact]
    public void Extra_header_column_is_named_with_its_column()
    {
        var error = Single(Reject(s_labels, "Id,Category,Confidence\n1,Forest,1\n2,River,1\n3,Forest,1\n4,SeaLake,1\n5,River,1\n"));
        Assert.Equal((1, 3), (error.Line, error.Column));
        Assert.Equal("Unexpected column 'Confidence'. Expected: Id,Category.", error.Message);
    }

    [Fact]
    public void Header_matching_ignores_case_and_column_order()
    {
        var result = TestFiles.Score(s_labels, "category,ID\nForest,1\nRiver,2\nForest,3\nSeaLake,4\nRiver,5\n");
        Assert.Equal(1.0, result.Overall);
    }

    [Fact]
    public void Duplicate_Id_names_the_line_of_the_repeat()
    {
        var error = Single(Reject(s_labels, "Id,Category\n1,Forest\n2,River\n2,River\n3,Forest\n4,SeaLake\n5,River\n"));
        Assert.Equal((4, 1), (error.Line, error.Column));
        Assert.Equal("Id '2' appears more than once; give exactly one prediction per Id.", error.Message);
    }

    [Fact]
    public void Id_not_in_the_solution_names_the_line()
    {
        var error = Single(Reject(s_labels, "Id,Category\n1,Forest\n2,River\n3,Forest\n4,SeaLake\n5,River\n99,River\n"));
        Assert.Equal((7, 1), (error.Line, error.Column));
        Assert.Equal("Id '99' is not in the solution.", error.Message);
    }

    [Fact]
    public void Missing_Ids_are_counted_with_the_first_few()
    {
        var error = Single(Reject(s_labels, "Id,Category\n1,Forest\n3,Forest\n"));
        Assert.Null(error.Line);
        Assert.Equal("3 of 5 Ids have no prediction, e.g. '2', '4', '5'.", error.Message);
    }

    [Fact]
    public void Many_missing_Ids_show_five_examples()
    {
        var solution = TestFiles.LoadSolution("Id,Category\n" + string.Concat(Enumerable.Range(0, 100).Select(i => $"{i},a\n")), s_labelTask);
        var error = Single(Reject(solution, "Id,Category\n0,a\n"));
        Assert.Equal("99 of 100 Ids have no prediction, e.g. '1', '2', '3', '4', '5' (and 94 more).", error.Message);
    }

    [Fact]
    public void Unknown_class_name_lists_the_classes_and_hints_at_case()
    {
        var report = Reject(s_labels, "Id,Category\n1,Forest\n2,Lake\n3,forest\n4,SeaLake\n5,River\n");
        Assert.Equal(2, report.ErrorCount);
        Assert.Equal(new ValidationError(3, 2, "Unknown class 'Lake'. Expected one of: Forest, River, SeaLake."), report.Errors[0]);
        Assert.Equal(new ValidationError(4, 2, "Unknown class 'forest'. Class names are case-sensitive: did you mean 'Forest'? Expected one of: Forest, River, SeaLake."), report.Errors[1]);
    }

    [Fact]
    public void Unparsable_number_names_line_and_column()
    {
        var error = Single(Reject(s_probabilities, "Id,cat,dog\na,0.5,0.5\nb,zero,1\nc,1,0\n"));
        Assert.Equal((3, 2), (error.Line, error.Column));
        Assert.Equal("'zero' is not a number.", error.Message);
    }

    [Fact]
    public void Unparsable_regression_value_is_rejected()
    {
        var solution = TestFiles.LoadSolution("Id,Category\n1,2.5\n2,3\n", new TaskDefinition { Kind = TaskKind.Regression, Metric = "rmse" });
        var error = Single(Reject(solution, "Id,Category\n1,2,5\n2,3\n"));
        Assert.Equal(2, error.Line);
        Assert.Equal("Expected 2 columns (Id,Category) but found 3.", error.Message);
        var second = Single(Reject(solution, "Id,Category\n1,2.5.1\n2,3\n"));
        Assert.Equal((2, 2, "'2.5.1' is not a number."), (second.Line, second.Column, second.Message));
    }

    [Theory]
    [InlineData("NaN", "The probability is NaN; every probability must be a finite number.")]
    [InlineData("nan", "The probability is NaN; every probability must be a finite number.")]
    [InlineData("Infinity", "The probability is infinite; every probability must be a finite number.")]
    [InlineData("-Infinity", "The probability is infinite; every probability must be a finite number.")]
    [InlineData("1e400", "The probability is infinite; every probability must be a finite number.")]
    [InlineData("-0.25", "Negative probability '-0.25' for class 'dog'.")]
    public void Invalid_probabilities_are_rejected(string value, string message)
    {
        var error = Single(Reject(s_probabilities, $"Id,cat,dog\na,0.5,0.5\nb,0.5,{value}\nc,1,0\n"));
        Assert.Equal((3, 3, message), (error.Line, error.Column, error.Message));
    }

    [Fact]
    public void Row_of_zero_probabilities_is_rejected()
    {
        var error = Single(Reject(s_probabilities, "Id,cat,dog\na,0.5,0.5\nb,0,0\nc,1,0\n"));
        Assert.Equal((3, null), (error.Line, error.Column));
        Assert.Equal("The probabilities on this line are all 0; at least one must be positive.", error.Message);
    }

    [Fact]
    public void Missing_probability_column_is_named()
    {
        var error = Single(Reject(s_probabilities, "Id,cat\na,1\nb,1\nc,1\n"));
        Assert.Equal(1, error.Line);
        Assert.Equal("Missing column for class 'dog'. Expected: Id,cat,dog.", error.Message);
    }

    [Fact]
    public void Wrong_column_count_names_the_line()
    {
        var report = Reject(s_labels, "Id,Category\n1,Forest\n2\n3,Forest,extra\n4,SeaLake\n5,River\n");
        // The Ids of malformed rows count as answered, so each mistake is reported once.
        Assert.Equal(2, report.ErrorCount);
        Assert.Equal(new ValidationError(3, null, "Expected 2 columns (Id,Category) but found 1."), report.Errors[0]);
        Assert.Equal(new ValidationError(4, null, "Expected 2 columns (Id,Category) but found 3."), report.Errors[1]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n")]
    [InlineData("\uFEFF")]
    public void Empty_file_is_rejected(string content)
    {
        var error = Single(Reject(s_labels, content));
        Assert.Equal(1, error.Line);
        Assert.Equal("The file is empty: expected a header line and one line per Id.", error.Message);
    }

    [Fact]
    public void Header_without_rows_says_so()
    {
        var error = Single(Reject(s_labels, "Id,Category\n"));
        Assert.Equal("The file has a header but no predictions: 5 of 5 Ids have no prediction, e.g. '1', '2', '3', '4', '5'.", error.Message);
    }

    [Fact]
    public void Binary_garbage_is_rejected_on_line_1()
    {
        var garbage = new byte[5000];
        new Random(7).NextBytes(garbage);
        garbage[10] = 0;
        var error = Single(Reject(s_labels, garbage));
        Assert.Equal(1 + garbage.AsSpan(0, 10).Count((byte)'\n'), error.Line);
        Assert.Equal("The line contains binary data (NUL bytes), not CSV text.", error.Message);
    }

    [Fact]
    public void A_nul_byte_in_a_text_file_is_reported_on_its_own_line()
    {
        var error = Single(Reject(s_labels, "Id,Category\n1,Forest\n2,River\n3,For\0est\n4,SeaLake\n5,River\n"));
        Assert.Equal(4, error.Line);
        Assert.Contains("NUL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_byte_order_mark_in_the_middle_of_the_file_is_named_instead_of_an_invisible_unknown_id()
    {
        var report = Reject(s_labels, "Id,Category\n1,Forest\n2,River\n\uFEFF3,Forest\n4,SeaLake\n5,River\n");
        var error = report.Errors.First();
        Assert.Equal((4, 1), (error.Line, error.Column));
        Assert.Contains("byte-order mark", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Utf16_without_a_byte_order_mark_is_recognised()
    {
        var error = Single(Reject(s_labels, Encoding.Unicode.GetBytes("Id,Category\n1,Forest\n2,River\n3,Forest\n4,SeaLake\n5,River\n")));
        Assert.Equal("The file looks like UTF-16 text (without a byte-order mark). Save it as UTF-8 CSV.", error.Message);
        var bigEndian = Single(Reject(s_labels, Encoding.BigEndianUnicode.GetBytes("Id,Category\n1,Forest\n")));
        Assert.Contains("UTF-16", bigEndian.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Zip_archive_is_recognised()
    {
        var error = Single(Reject(s_labels, [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00]));
        Assert.Equal("This is a ZIP archive, not a CSV file. Unzip it and upload the CSV inside.", error.Message);
    }

    [Fact]
    public void Bytes_that_are_not_UTF8_are_reported_per_line()
    {
        var bytes = Encoding.UTF8.GetBytes("Id,Category\n1,Forest\n2,River\n3,Forest\n4,SeaLake\n5,River\n").ToList();
        bytes.InsertRange(bytes.IndexOf((byte)'R'), new byte[] { 0xC3, 0x28 });
        var error = Single(Reject(s_labels, bytes.ToArray()));
        Assert.Equal(3, error.Line);
        Assert.Equal("The line contains bytes that are not UTF-8 text (binary data, or a file saved in another encoding).", error.Message);
    }

    [Fact]
    public void Bad_bytes_deep_in_a_large_file_name_exactly_their_lines()
    {
        var solution = TestFiles.LoadSolution("Id,Category\n" + string.Concat(Enumerable.Range(0, 30000).Select(i => $"{i},a\n")), s_labelTask);
        var bytes = new List<byte>(Encoding.UTF8.GetBytes("Id,Category\n"));
        foreach (int i in Enumerable.Range(0, 30000))
        {
            bytes.AddRange(Encoding.UTF8.GetBytes($"{i},"));
            bytes.AddRange(i is 500 or 20000 or 20001 ? [0xFF] : "a"u8.ToArray());
            bytes.Add((byte)'\n');
        }
        var report = Reject(solution, bytes.ToArray());
        Assert.Equal([502, 20002, 20003], report.Errors.Select(e => e.Line));
    }

    [Fact]
    public void File_over_the_size_limit_is_rejected_without_reading_it()
    {
        var small = TestFiles.LoadSolution("Id,Category\n1,a\n2,b\n", s_labelTask with { MaxFileBytes = 64 });
        string big = "Id,Category\n" + string.Concat(Enumerable.Repeat("1,a\n", 40));
        var error = Single(Reject(small, big));
        Assert.Null(error.Line);
        Assert.Equal("The file is larger than the limit of 64 bytes.", error.Message);
    }

    [Fact]
    public void Size_limit_also_holds_for_streams_of_unknown_length()
    {
        var small = TestFiles.LoadSolution("Id,Category\n1,a\n2,b\n", s_labelTask with { MaxFileBytes = 64 });
        var stream = new UnseekableStream(Encoding.UTF8.GetBytes("Id,Category\n" + string.Concat(Enumerable.Repeat("1,a\n", 40))));
        var outcome = small.ReadSubmission(stream);
        Assert.Equal("The file is larger than the limit of 64 bytes.", Assert.Single(outcome.Report.Errors).Message);
    }

    [Fact]
    public void Blank_line_in_the_middle_is_an_error_but_trailing_ones_are_not()
    {
        var error = Single(Reject(s_labels, "Id,Category\n1,Forest\n\n2,River\n3,Forest\n4,SeaLake\n5,River\n"));
        Assert.Equal((3, "The line is empty; every line after the header must hold one prediction."), (error.Line, error.Message));
        Assert.Equal(1.0, TestFiles.Score(s_labels, "Id,Category\n1,Forest\n2,River\n3,Forest\n4,SeaLake\n5,River\n\n\n").Overall);
    }

    [Fact]
    public void Millions_of_blank_lines_cost_a_count_not_a_list()
    {
        var bytes = Encoding.UTF8.GetBytes("Id,Category\n" + new string('\n', 3_000_000) + "1,Forest\n2,River\n3,Forest\n4,SeaLake\n5,River\n");
        var report = Reject(s_labels, bytes);
        Assert.Equal(3_000_000, report.ErrorCount);
        Assert.Equal(Enumerable.Range(2, 20).Select(i => (int?)i), report.Errors.Select(e => e.Line));
    }

    [Fact]
    public void Unterminated_quote_stops_with_its_line()
    {
        var report = Reject(s_labels, "Id,Category\n1,Forest\n2,\"River\n3,Forest\n");
        var error = report.Errors[0];
        Assert.Equal((3, "A quoted field is opened but never closed."), (error.Line, error.Message));
    }

    [Fact]
    public void At_most_twenty_errors_are_listed_with_the_total_count()
    {
        var solution = TestFiles.LoadSolution("Id,Category\n" + string.Concat(Enumerable.Range(0, 100).Select(i => $"{i},a\n")), s_labelTask);
        var report = Reject(solution, "Id,Category\n" + string.Concat(Enumerable.Range(0, 100).Select(i => $"{i},b\n")));
        Assert.Equal(100, report.ErrorCount);
        Assert.Equal(ValidationReport.MaxListedErrors, report.Errors.Count);
        Assert.Equal(Enumerable.Range(2, 20).Select(i => (int?)i), report.Errors.Select(e => e.Line));
    }

    [Fact]
    public void Random_bytes_and_mutated_files_never_throw()
    {
        var random = new Random(42);
        string valid = "Id,cat,dog\na,0.5,0.5\n\"b\",\"0.25\",0.75\r\nc,1,0\n";
        string replacements = "\",\r\n0.-eE\u00e9x";
        for (int i = 0; i < 3000; i++)
        {
            byte[] bytes;
            if (i % 2 == 0)
            {
                bytes = new byte[random.Next(0, 200)];
                random.NextBytes(bytes);
            }
            else
            {
                bytes = Encoding.UTF8.GetBytes(valid);
                for (int m = random.Next(1, 6); m > 0; m--)
                {
                    bytes[random.Next(bytes.Length)] = (byte)replacements[random.Next(replacements.Length)];
                }
            }
            foreach (var solution in new[] { s_labels, s_probabilities })
            {
                var outcome = solution.ReadSubmission(new MemoryStream(bytes));
                Assert.Equal(outcome.IsValid, outcome.Report.IsValid);
                Assert.True(outcome.IsValid || outcome.Report.Errors.Count > 0);
            }
        }
    }

    [Fact]
    public void Header_with_a_million_columns_is_rejected_quickly_and_listed_briefly()
    {
        string header = "Id,Category," + string.Join(",", Enumerable.Repeat("x", 1_000_000));
        var report = Reject(s_labels, header + "\n1,Forest\n");
        Assert.Equal(ValidationReport.MaxListedErrors, report.Errors.Count);
        // Each 'x' after the first is a duplicate, and every 'x' is an unexpected column.
        Assert.Equal(1_999_999, report.ErrorCount);
        Assert.Equal(new ValidationError(1, 4, "Column 'x' appears twice in the header (columns 3 and 4)."), report.Errors[0]);
    }

    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();
    }
}
