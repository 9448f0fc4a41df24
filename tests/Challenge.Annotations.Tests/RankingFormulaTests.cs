using Challenge.Annotations.Metrics;
using Challenge.Annotations.Model;
using Challenge.Annotations.Ranking;

namespace Challenge.Annotations.Tests;

public class RankingFormulaTests
{
    [Fact]
    public void The_ocean_cleanup_rule_evaluates_as_written()
    {
        Assert.True(RankingFormula.TryParse("70 * labelled / max_labelled + 30 * honeypot_accuracy", out var formula, out _));

        var value = formula!.Evaluate(new Dictionary<string, double> { ["labelled"] = 1200, ["max_labelled"] = 1600, ["honeypot_accuracy"] = 0.9 });

        Assert.Equal(70 * 1200.0 / 1600 + 30 * 0.9, value, 12);
        Assert.Equal(new HashSet<string> { "labelled", "max_labelled", "honeypot_accuracy" }, formula.UsedVariables);
    }

    [Theory]
    [InlineData("2 + 3 * 4", 14)]
    [InlineData("(2 + 3) * 4", 20)]
    [InlineData("-2 * -(3 - 5)", -4)]
    [InlineData("10 / 4 / 5", 0.5)]
    [InlineData("8 - 3 - 2", 3)]
    [InlineData("1 / (labelled - labelled)", 0)]
    [InlineData(".5 * 4", 2)]
    public void Precedence_associativity_and_division_by_zero(string text, double expected)
    {
        Assert.True(RankingFormula.TryParse(text, out var formula, out var error), error?.ToString());
        Assert.Equal(expected, formula!.Evaluate(new Dictionary<string, double> { ["labelled"] = 7 }), 12);
    }

    [Theory]
    [InlineData("70 * labeled", 6, "unknown variable 'labeled'")]
    [InlineData("70 * (labelled + 1", 19, "not closed")]
    [InlineData("70 ** labelled", 5, "unexpected '*'")]
    [InlineData("70 labelled", 4, "operator is missing")]
    [InlineData("70 * labelled;", 14, "unexpected character ';'")]
    [InlineData("70 +", 5, "ends")]
    [InlineData("1.2.3", 1, "not a number")]
    public void Bad_tokens_are_named_with_their_position(string text, int position, string message)
    {
        Assert.False(RankingFormula.TryParse(text, out _, out var error));
        Assert.Equal(position, error!.Position);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Teams_rank_by_the_formula_over_their_coverage_and_honeypot_accuracy()
    {
        var gold = new AnnotationDataset();
        gold.Images.AddRange(Enumerable.Range(1, 10).Select(i => new ImageInfo(i, $"crop{i}.png", 64, 64)));
        gold.ImageLabels.AddRange([new ImageLabel(1, "MARINE_DEBRIS"), new ImageLabel(2, "OTHER")]);
        AnnotationDataset Team(int labelled, string answerOnHoneypot2)
        {
            var team = new AnnotationDataset();
            team.ImageLabels.AddRange(Enumerable.Range(1, labelled).Select(i => new ImageLabel(i, i == 2 ? answerOnHoneypot2 : "MARINE_DEBRIS")));
            return team;
        }

        var teams = new[] { ("careful", Team(4, "OTHER")), ("fast", Team(10, "UNKNOWN")) };
        var maxLabelled = teams.Max(t => Coverage.Of(gold, t.Item2).Labelled);
        Assert.True(RankingFormula.TryParse("70 * labelled / max_labelled + 30 * honeypot_accuracy", out var formula, out _));

        var scores = teams.ToDictionary(t => t.Item1, t => formula!.Evaluate(RankingVariables.For(
            Coverage.Of(gold, t.Item2), maxLabelled, ClassificationQuality.Evaluate(gold, t.Item2))));

        Assert.Equal(70 * 4 / 10.0 + 30, scores["careful"], 12);
        Assert.Equal(70 + 30 * 0.5, scores["fast"], 12);
    }

    [Fact]
    public void Deep_nesting_is_refused_rather_than_overflowing_the_stack()
    {
        Assert.False(RankingFormula.TryParse(new string('-', 100_000) + "1", out _, out var minus));
        Assert.False(RankingFormula.TryParse(new string('(', 100_000) + "1", out _, out var open));
        Assert.Contains("nests too deeply", minus!.Message, StringComparison.Ordinal);
        Assert.Contains("nests too deeply", open!.Message, StringComparison.Ordinal);
    }
}
