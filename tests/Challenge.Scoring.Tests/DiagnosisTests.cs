using System.Text;
using Challenge.Scoring.Validation;

namespace Challenge.Scoring.Tests;

/// <summary>Files that were refused for the wrong reason: the message must name what is really wrong.</summary>
public class DiagnosisTests
{
    private static readonly Solution s_labels = TestFiles.LoadSolution(
        "Id,Category\n1,Forest\n2,River\n", new TaskDefinition { Kind = TaskKind.Label, Metric = "accuracy" });

    private static readonly Solution s_probabilities = TestFiles.LoadSolution(
        "Id,Category\na,cat\nb,dog\nc,cat\n", new TaskDefinition { Kind = TaskKind.Probability, Metric = "log_loss" });

    private static ValidationError SingleError(Solution solution, byte[] submission)
    {
        var outcome = solution.ReadSubmission(new MemoryStream(submission));
        Assert.False(outcome.IsValid, "the file should have been rejected");
        return Assert.Single(outcome.Report.Errors);
    }

    [Fact]
    public void Utf32_with_a_byte_order_mark_is_called_utf32_not_utf16()
    {
        var text = "Id,Category\n1,Forest\n2,River\n";
        var littleEndian = new UTF32Encoding(bigEndian: false, byteOrderMark: true);
        var bigEndian = new UTF32Encoding(bigEndian: true, byteOrderMark: true);

        var little = SingleError(s_labels, [.. littleEndian.GetPreamble(), .. littleEndian.GetBytes(text)]);
        var big = SingleError(s_labels, [.. bigEndian.GetPreamble(), .. bigEndian.GetBytes(text)]);

        Assert.Equal("The file is UTF-32 text. Save it as UTF-8 CSV.", little.Message);
        Assert.Equal("The file is UTF-32 text. Save it as UTF-8 CSV.", big.Message);
        Assert.Contains("UTF-16", SingleError(s_labels, [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(text)]).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Probabilities_whose_sum_overflows_are_not_called_all_zero()
    {
        var error = SingleError(s_probabilities, "Id,cat,dog\na,0.5,0.5\nb,1e308,1e308\nc,1,0\n"u8.ToArray());

        Assert.Equal((3, null), (error.Line, error.Column));
        Assert.DoesNotContain("all 0", error.Message, StringComparison.Ordinal);
        Assert.Contains("add up to more than", error.Message, StringComparison.Ordinal);
    }
}
