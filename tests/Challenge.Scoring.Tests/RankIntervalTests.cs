using System.Globalization;
using Challenge.Scoring.Metrics;
using Challenge.Scoring.Significance;

namespace Challenge.Scoring.Tests;

public class RankIntervalTests
{
    private const int Rows = 1000;

    // A label task with a known truth; each team's file keeps the true class with the given
    // probability and otherwise guesses, from its own seeded stream.
    private static (Solution Solution, Submission[] Teams) LabelBoard(params (double Accuracy, int Seed)[] teams)
    {
        var random = new Random(21);
        var truth = Enumerable.Range(0, Rows).Select(_ => random.Next(4)).ToArray();
        var solution = TestFiles.LoadSolution("Id,Category\n" + string.Concat(truth.Select((t, i) => $"{i},c{t}\n")), new TaskDefinition { Seed = 3 });
        var submissions = teams.Select(team =>
        {
            var noise = new Random(team.Seed);
            return TestFiles.Read(solution, "Id,Category\n" + string.Concat(truth.Select((t, i) => $"{i},c{(noise.NextDouble() < team.Accuracy ? t : noise.Next(4))}\n")));
        }).ToArray();
        return (solution, submissions);
    }

    [Fact]
    public void Identical_predictions_share_one_interval_and_one_group_and_a_clear_leader_is_first_always()
    {
        // Board order: the leader, the twins (same seed, so the same file), two close followers, a weak team.
        var (_, teams) = LabelBoard((0.99, 1), (0.7, 2), (0.7, 2), (0.69, 3), (0.68, 4), (0.3, 5));
        var analysis = RankIntervals.Compute(teams, new bool[teams.Length], ScorePart.Private, replicates: 400, seed: 11);

        Assert.False(analysis.Recomputed);
        Assert.Equal(400, analysis.Replicates);
        var leader = analysis.Ranks[0]!;
        Assert.Equal((1, 1), (leader.Lower, leader.Upper));
        Assert.Equal(1.0, leader.ProbabilityFirst);
        Assert.Equal(1, leader.Group);

        var twin = analysis.Ranks[1]!;
        Assert.Equal(twin, analysis.Ranks[2]);
        Assert.NotEqual(twin.Lower, twin.Upper);
        Assert.Equal(2, twin.Group);
        Assert.Equal(0.0, twin.ProbabilityFirst);
        // The close followers cannot be told from the twins; the weak team is clearly last.
        Assert.Equal(2, analysis.Ranks[3]!.Group);
        var last = analysis.Ranks[5]!;
        Assert.Equal((6, 6), (last.Lower, last.Upper));
        Assert.NotEqual(2, last.Group);

        var again = RankIntervals.Compute(teams, new bool[teams.Length], ScorePart.Private, replicates: 400, seed: 11, maxParallelism: 1);
        Assert.Equal(analysis.Ranks, again.Ranks);
    }

    [Theory]
    [InlineData("accuracy")]
    [InlineData("cohen_kappa")]
    public void Intervals_match_a_plain_recomputation_of_every_resample(string metricName)
    {
        var (solution, teams) = LabelBoard((0.8, 1), (0.79, 2), (0.78, 3), (0.6, 4));
        var analysis = RankIntervals.Compute(teams, new bool[teams.Length], ScorePart.Private, replicates: 200, seed: 4, metricName: metricName);
        Assert.Equal(metricName != "accuracy", analysis.Recomputed);
        var expected = SlowRankIntervals(solution, teams, MetricCatalog.Create(metricName), ScorePart.Private, 200, 4);
        Assert.Equal(expected, analysis.Ranks.Select(r => (r!.Lower, r.Upper)).ToArray());
    }

    [Fact]
    public void Roc_auc_is_recomputed_on_each_resample()
    {
        var random = new Random(5);
        var truth = Enumerable.Range(0, 600).Select(_ => random.NextDouble() < 0.4 ? 1 : 0).ToArray();
        var task = new TaskDefinition { Kind = TaskKind.BinaryProbability, Metric = "roc_auc", TargetColumn = "Target", Seed = 2 };
        var solution = TestFiles.LoadSolution("Id,Target\n" + string.Concat(truth.Select((t, i) => $"{i},{t}\n")), task);
        Submission Team(double signal, int seed)
        {
            var noise = new Random(seed);
            return TestFiles.Read(solution, "Id,Target\n" + string.Concat(truth.Select((t, i) =>
                string.Create(CultureInfo.InvariantCulture, $"{i},{Math.Clamp(signal * t + (1 - signal) * noise.NextDouble(), 0, 1):R}\n"))));
        }
        var teams = new[] { Team(0.9, 1), Team(0.3, 2), Team(0.3, 2), Team(0.05, 3) };
        var analysis = RankIntervals.Compute(teams, new bool[teams.Length], ScorePart.Private, replicates: 200, seed: 9);

        Assert.True(analysis.Recomputed);
        Assert.Equal((1, 1), (analysis.Ranks[0]!.Lower, analysis.Ranks[0]!.Upper));
        Assert.Equal(analysis.Ranks[1], analysis.Ranks[2]);
        var expected = SlowRankIntervals(solution, teams, MetricCatalog.Create("roc_auc"), ScorePart.Private, 200, 9);
        Assert.Equal(expected, analysis.Ranks.Select(r => (r!.Lower, r.Upper)).ToArray());
    }

    [Fact]
    public void Log_loss_ranks_lower_first_and_a_baseline_is_compared_not_ranked()
    {
        var random = new Random(6);
        var truth = Enumerable.Range(0, 800).Select(_ => random.Next(3)).ToArray();
        var task = new TaskDefinition { Kind = TaskKind.Probability, Metric = "log_loss", Classes = ["a", "b", "c"], Seed = 2 };
        var solution = TestFiles.LoadSolution("Id,Category\n" + string.Concat(truth.Select((t, i) => $"{i},{"abc"[t]}\n")), task);
        Submission Team(double confidence, int seed)
        {
            var noise = new Random(seed);
            return TestFiles.Read(solution, "Id,a,b,c\n" + string.Concat(truth.Select((t, i) =>
            {
                var p = Enumerable.Range(0, 3).Select(k => (k == t ? confidence : 0) + noise.NextDouble() * (1 - confidence)).ToArray();
                return string.Create(CultureInfo.InvariantCulture, $"{i},{p[0]:R},{p[1]:R},{p[2]:R}\n");
            })));
        }
        // A file with hard zeros on the true class: clipping keeps its loss finite.
        var zeros = TestFiles.Read(solution, "Id,a,b,c\n" + string.Concat(truth.Select((t, i) => $"{i},{(t == 1 ? 1 : 0)},{(t == 1 ? 0 : 1)},0\n")));
        var entries = new[] { Team(0.8, 1), Team(0.0, 2), zeros };
        var analysis = RankIntervals.Compute(entries, [false, true, false], ScorePart.Private, replicates: 300, seed: 1);

        Assert.False(analysis.Recomputed);
        Assert.Null(analysis.Ranks[1]);
        Assert.Equal((1, 1), (analysis.Ranks[0]!.Lower, analysis.Ranks[0]!.Upper));
        Assert.Equal((2, 2), (analysis.Ranks[2]!.Lower, analysis.Ranks[2]!.Upper));
        Assert.True(double.IsFinite(analysis.Estimates[2]));
        var strong = Assert.Single(analysis.VersusReferences[0]);
        Assert.Equal(1, strong.Reference);
        Assert.True(strong.BeatsClearly);
        Assert.True(strong.Difference < 0);
        Assert.False(Assert.Single(analysis.VersusReferences[2]).BeatsClearly);
        Assert.Empty(analysis.VersusReferences[1]);
    }

    [Fact]
    public void Poisson_weights_average_one_and_depend_only_on_seed_and_resample()
    {
        var counts = new int[100_000];
        RankIntervals.PoissonWeights(counts, 7, 3);
        Assert.Equal(1.0, counts.Average(), 0.02);
        Assert.Equal(Math.Exp(-1), counts.Count(c => c == 0) / (double)counts.Length, 0.01);
        var again = new int[100_000];
        RankIntervals.PoissonWeights(again, 7, 3);
        Assert.Equal(counts, again);
        RankIntervals.PoissonWeights(again, 7, 4);
        Assert.NotEqual(counts, again);
    }

    // Reference values from scipy.stats.kendalltau 1.10 (tau-b, the default), run on these lists.
    [Theory]
    [InlineData(new double[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }, new double[] { 2, 1, 3, 5, 4, 6, 9, 7, 8, 12, 10, 11 }, 0.8181818181818181)]
    [InlineData(new[] { 0.91, 0.88, 0.88, 0.85, 0.80, 0.80, 0.80, 0.71, 0.65, 0.60 }, new[] { 0.90, 0.86, 0.89, 0.83, 0.82, 0.79, 0.79, 0.70, 0.69, 0.52 }, 0.9653072991634227)]
    [InlineData(new double[] { 3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5 }, new double[] { 2, 7, 1, 8, 2, 8, 1, 8, 2, 8, 4 }, 0.14757295747452434)]
    public void Kendall_tau_b_matches_scipy(double[] x, double[] y, double expected)
    {
        Assert.Equal(expected, RankCorrelation.KendallTauB(x, y), 1e-12);
    }

    [Fact]
    public void Kendall_tau_is_undefined_for_a_constant_ranking()
    {
        Assert.True(double.IsNaN(RankCorrelation.KendallTauB([1, 1, 1], [1, 2, 3])));
    }

    // The definition written out: expand each resample's Poisson weights into repeated rows, score
    // every team with the plain metric, take each team's best and worst tied rank, then percentiles.
    private static (int, int)[] SlowRankIntervals(Solution solution, Submission[] teams, Metric metric, ScorePart part, int replicates, int seed)
    {
        var rows = solution.RowsOf(part).ToArray();
        var best = teams.Select(_ => new List<int>()).ToArray();
        var worst = teams.Select(_ => new List<int>()).ToArray();
        var counts = new int[rows.Length];
        for (int r = 0; r < replicates; r++)
        {
            RankIntervals.PoissonWeights(counts, seed, r);
            var expanded = rows.SelectMany((row, i) => Enumerable.Repeat(row, counts[i])).ToArray();
            var scores = teams.Select(t => metric.Evaluate(t, expanded)).ToArray();
            if (scores.Any(double.IsNaN))
            {
                continue;
            }
            for (int t = 0; t < teams.Length; t++)
            {
                double mine = scores[t];
                int better = scores.Count(s => metric.Info.HigherIsBetter ? s > mine : s < mine);
                int tied = scores.Count(s => s == mine);
                best[t].Add(better + 1);
                worst[t].Add(better + tied);
            }
        }
        return teams.Select((_, t) =>
        {
            var low = best[t].Order().ToList();
            var high = worst[t].Order().ToList();
            return (low[(int)Math.Floor(0.025 * (low.Count - 1))], high[(int)Math.Ceiling(0.975 * (high.Count - 1))]);
        }).ToArray();
    }
}
