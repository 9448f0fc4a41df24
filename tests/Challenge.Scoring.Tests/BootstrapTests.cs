using Challenge.Scoring.Metrics;
using Challenge.Scoring.Significance;

namespace Challenge.Scoring.Tests;

public class BootstrapTests
{
    private static (Solution Solution, Submission Good, Submission Bad, Submission GoodCopy) Submissions()
    {
        var random = new Random(8);
        var truth = Enumerable.Range(0, 400).Select(_ => random.Next(3)).ToArray();
        string Labels(double accuracy, int seed)
        {
            var noise = new Random(seed);
            return "Id,Category\n" + string.Concat(truth.Select((t, i) => $"{i},c{(noise.NextDouble() < accuracy ? t : noise.Next(3))}\n"));
        }
        var solution = TestFiles.LoadSolution("Id,Category\n" + string.Concat(truth.Select((t, i) => $"{i},c{t}\n")), new TaskDefinition { Seed = 1 });
        return (solution, TestFiles.Read(solution, Labels(0.9, 1)), TestFiles.Read(solution, Labels(0.6, 2)), TestFiles.Read(solution, Labels(0.9, 1)));
    }

    [Fact]
    public void Interval_is_seeded_and_surrounds_the_score()
    {
        var (_, good, _, _) = Submissions();
        var first = Bootstrap.Interval(good, ScorePart.Private, replicates: 500, seed: 5);
        var second = Bootstrap.Interval(good, ScorePart.Private, replicates: 500, seed: 5);
        Assert.Equal(first, second);
        // Accuracy on 280 rows moves in steps of 1/280, so two seeds can share percentiles; five cannot all.
        var others = Enumerable.Range(6, 5).Select(seed => Bootstrap.Interval(good, ScorePart.Private, replicates: 500, seed: seed));
        Assert.Contains(others, other => other != first);
        Assert.Equal(Scorer.Score(good).Private!.Value, first.Estimate, 1e-15);
        Assert.InRange(first.Estimate, first.Lower, first.Upper);
        Assert.True(first.Upper - first.Lower is > 0.01 and < 0.2, $"width {first.Upper - first.Lower}");
        Assert.Equal(500, first.Replicates);
    }

    [Fact]
    public void Paired_test_separates_a_clear_winner_and_not_identical_twins()
    {
        var (_, good, bad, goodCopy) = Submissions();
        var clear = Bootstrap.Compare(good, bad, ScorePart.Overall, replicates: 500, seed: 3);
        Assert.True(clear.DiffersSignificantly);
        Assert.True(clear.PValue < 0.01);
        Assert.True(clear.Difference > 0.2);
        Assert.True(clear.Lower > 0);

        var same = Bootstrap.Compare(good, goodCopy, ScorePart.Overall, replicates: 500, seed: 3);
        Assert.False(same.DiffersSignificantly);
        Assert.Equal(1.0, same.PValue);
        Assert.Equal(0.0, same.Difference);
    }

    [Theory]
    [MemberData(nameof(PropertyTests.MetricKinds), MemberType = typeof(PropertyTests))]
    public void Shared_work_between_resamples_gives_the_plain_metric_value(string metricName, TaskKind kind)
    {
        var (solutionCsv, _, noisyCsv) = PropertyTests.Files(kind, new Random(12));
        var solution = TestFiles.LoadSolution(solutionCsv, PropertyTests.Task(kind, metricName));
        var submission = TestFiles.Read(solution, noisyCsv);
        var metric = MetricCatalog.Create(metricName);
        var rows = solution.RowsOf(ScorePart.Overall).ToArray();
        var resampled = metric.Resampled(submission, rows);
        var random = new Random(13);
        for (int replicate = 0; replicate < 5; replicate++)
        {
            var counts = new int[rows.Length];
            for (int i = 0; i < rows.Length; i++)
            {
                counts[random.Next(rows.Length)]++;
            }
            var expanded = rows.SelectMany((row, i) => Enumerable.Repeat(row, counts[i])).ToArray();
            Assert.Equal(metric.Evaluate(submission, expanded), resampled.Evaluate(counts), 1e-12);
        }
    }

    [Fact]
    public void Paired_test_needs_the_same_solution()
    {
        var (_, good, _, _) = Submissions();
        var (_, otherGood, _, _) = Submissions();
        Assert.Throws<ArgumentException>(() => Bootstrap.Compare(good, otherGood));
    }
}
