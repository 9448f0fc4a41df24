using System.Text;

namespace Challenge.Scoring.Tests;

/// <summary>Shortcuts that turn CSV text into solutions and scores.</summary>
internal static class TestFiles
{
    public static string FixturesDirectory => Path.Combine(AppContext.BaseDirectory, "fixtures", "cases");

    public static MemoryStream Stream(string text) => new(Encoding.UTF8.GetBytes(text));

    public static Solution LoadSolution(string csv, TaskDefinition task)
    {
        var outcome = Solution.Load(Stream(csv), task);
        Assert.True(outcome.IsValid, string.Join("\n", outcome.Report.Errors));
        return outcome.Value!;
    }

    public static ScoreResult Score(Solution solution, string submissionCsv)
    {
        var outcome = solution.Score(Stream(submissionCsv));
        Assert.True(outcome.IsValid, string.Join("\n", outcome.Report.Errors));
        return outcome.Value!;
    }

    public static Submission Read(Solution solution, string submissionCsv)
    {
        var outcome = solution.ReadSubmission(Stream(submissionCsv));
        Assert.True(outcome.IsValid, string.Join("\n", outcome.Report.Errors));
        return outcome.Value!;
    }
}
