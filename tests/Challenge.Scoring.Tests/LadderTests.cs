using Challenge.Scoring.Significance;

namespace Challenge.Scoring.Tests;

public class LadderTests
{
    [Fact]
    public void A_stream_of_noise_never_raises_the_shown_score_beyond_the_margin_and_a_real_improvement_shows()
    {
        var random = new Random(3);
        const double margin = 0.02;
        // 500 submissions that only wiggle around 0.80 by at most 0.01, then one real step to 0.90.
        var scores = Enumerable.Range(0, 500).Select(_ => 0.80 + (random.NextDouble() * 2 - 1) * 0.01).Append(0.90).ToList();

        var steps = Ladder.WithMargin(scores, higherIsBetter: true, margin);

        var noise = steps.Take(500).ToList();
        Assert.All(noise, step => Assert.InRange(step.Shown, noise[0].Shown - 1e-12, noise[0].Shown + margin + 1e-12));
        Assert.All(noise, step => Assert.True(step.Shown <= scores.Take(500).Max() + margin / 2));
        Assert.True(noise.Count(s => s.Updated) <= 2, $"{noise.Count(s => s.Updated)} updates from noise");
        Assert.True(steps[^1].Updated);
        Assert.Equal(0.90, steps[^1].Shown, 1e-12);
    }

    [Fact]
    public void For_a_loss_lower_is_better_and_failed_files_leave_the_shown_score()
    {
        var steps = Ladder.WithMargin([0.50, double.NaN, 0.495, 0.40, 0.41], higherIsBetter: false, margin: 0.05);
        Assert.Equal([0.50, 0.50, 0.50, 0.40, 0.40], steps.Select(s => Math.Round(s.Shown, 12)));
        Assert.Equal([true, false, false, true, false], steps.Select(s => s.Updated));
    }

    [Fact]
    public void The_parameter_free_ladder_ignores_a_few_flipped_rows_and_shows_a_real_improvement()
    {
        var random = new Random(4);
        var truth = Enumerable.Range(0, 2000).Select(_ => random.Next(3)).ToArray();
        var solution = TestFiles.LoadSolution("Id,Category\n" + string.Concat(truth.Select((t, i) => $"{i},c{t}\n")), new TaskDefinition { Seed = 1 });
        int[] Predict(double accuracy, Random noise) => truth.Select(t => noise.NextDouble() < accuracy ? t : (t + 1) % 3).ToArray();
        Submission Read(int[] labels) => TestFiles.Read(solution, "Id,Category\n" + string.Concat(labels.Select((p, i) => $"{i},c{p}\n")));
        int publicRows = solution.PublicRowCount;

        var baseLabels = Predict(0.7, new Random(5));
        var best = Read(baseLabels);
        var shown = Ladder.ParameterFreeStep(double.NaN, Scorer.Score(best).Public!.Value, double.NaN, publicRows, true).Shown;
        var start = shown;
        // Twenty probes that each re-guess five random rows: the board moves by a few rows' worth at most.
        var updates = 0;
        for (int probe = 0; probe < 20; probe++)
        {
            var labels = (int[])baseLabels.Clone();
            for (int k = 0; k < 5; k++)
            {
                labels[random.Next(labels.Length)] = random.Next(3);
            }
            var candidate = Read(labels);
            var step = Ladder.ParameterFreeStep(shown, Scorer.Score(candidate).Public!.Value, Ladder.ParameterFreeThreshold(candidate, best), publicRows, true);
            if (step.Updated)
            {
                best = candidate;
                updates++;
            }
            shown = step.Shown;
        }
        Assert.InRange(shown - start, 0, 10.0 / publicRows);
        Assert.True(updates <= 6, $"{updates} updates from noise");

        var better = Read(Predict(0.85, new Random(6)));
        var improved = Ladder.ParameterFreeStep(shown, Scorer.Score(better).Public!.Value, Ladder.ParameterFreeThreshold(better, best), publicRows, true);
        Assert.True(improved.Updated);
        Assert.Equal(Scorer.Score(better).Public!.Value, improved.Shown, 1e-9);
    }

    [Fact]
    public void The_parameter_free_rule_applies_to_means_over_rows_only()
    {
        Assert.True(Ladder.SupportsParameterFree("accuracy"));
        Assert.True(Ladder.SupportsParameterFree("log_loss"));
        Assert.True(Ladder.SupportsParameterFree("rmse"));
        Assert.False(Ladder.SupportsParameterFree("roc_auc"));
        Assert.False(Ladder.SupportsParameterFree("f1_macro"));
        Assert.False(Ladder.SupportsParameterFree("no_such_metric"));
    }

    [Fact]
    public void For_rmse_the_threshold_is_the_standard_error_of_the_squared_errors_carried_into_rmse_units()
    {
        var random = new Random(7);
        var truth = Enumerable.Range(0, 400).Select(_ => random.NextDouble() * 10).ToArray();
        var solution = TestFiles.LoadSolution("Id,Category\n" + string.Concat(truth.Select((t, i) => FormattableString.Invariant($"{i},{t}\n"))),
            new TaskDefinition { Kind = TaskKind.Regression, Metric = "rmse", Seed = 2 });
        Submission Read(double noise) => TestFiles.Read(solution, "Id,Category\n" + string.Concat(truth.Select((t, i) => FormattableString.Invariant($"{i},{t + (random.NextDouble() * 2 - 1) * noise}\n"))));
        var best = Read(1.0);
        var candidate = Read(0.9);

        var rows = solution.RowsOf(ScorePart.Public).ToArray();
        var a = rows.Select(r => Math.Pow(candidate.PredictedValues![r] - solution.TruthValues![r], 2)).ToArray();
        var b = rows.Select(r => Math.Pow(best.PredictedValues![r] - solution.TruthValues![r], 2)).ToArray();
        var d = a.Zip(b, (x, y) => x - y).ToArray();
        var standardError = Math.Sqrt(d.Sum(x => Math.Pow(x - d.Average(), 2)) / (d.Length - 1)) / Math.Sqrt(d.Length);
        // Lower is better: the improving side of the best submission's mean squared error.
        var expected = Math.Sqrt(b.Average()) - Math.Sqrt(b.Average() - standardError);

        Assert.Equal(expected, Ladder.ParameterFreeThreshold(candidate, best), 12);
    }
}
