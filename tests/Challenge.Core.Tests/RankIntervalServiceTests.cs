using Challenge.Core.Leaderboards;
using Challenge.Core.Submissions;
using Challenge.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Challenge.Core.Tests;

// The board's rank intervals come from the teams' stored files, computed off the read path and
// kept with the board they belong to.
public abstract class RankIntervalServiceTests(string provider) : IAsyncLifetime
{
    private CoreHarness _harness = default!;
    private CompetitionWorld _world = default!;

    public async Task InitializeAsync()
    {
        _harness = await CoreHarness.StartAsync(provider);
        _world = await CompetitionWorld.CreateAsync(_harness);
        await using var db = _harness.CreateDbContext();
        await db.Tasks.Where(t => t.Id == _world.Task.Id).ExecuteUpdateAsync(t => t.SetProperty(x => x.BootstrapEnabled, true).SetProperty(x => x.RankResamples, 300));
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private async Task<int> ScoredTeamAsync(string name, Func<int, bool> right)
    {
        var (user, team) = await _world.TeamAsync(name);
        var result = await _world.SubmitAsync(user, CompetitionWorld.SubmissionCsv(right));
        Assert.True(result.Accepted, result.Message);
        Assert.Equal(SubmissionStatus.Scored, (await _world.WaitForScoringAsync(result.Submission!.Id)).Status);
        return team.Id;
    }

    [DatabaseFact]
    public async Task A_clear_leader_ranks_first_always_identical_files_share_an_interval_and_rows_carry_their_provenance()
    {
        var leader = await ScoredTeamAsync("ada", _ => true);
        var twin = await ScoredTeamAsync("bob", row => row % 3 != 0);
        var otherTwin = await ScoredTeamAsync("cy", row => row % 3 != 0);
        var weak = await ScoredTeamAsync("dee", row => row % 5 == 0);
        var service = _harness.Get<RankIntervalService>();

        var intervals = await service.ComputeNowAsync(_world.Task.Id, LeaderboardKind.Private);

        Assert.NotNull(intervals);
        Assert.Equal(300, intervals.Resamples);
        Assert.Equal((1, 1), (intervals.ByTeam[leader].Lower, intervals.ByTeam[leader].Upper));
        Assert.Equal(1.0, intervals.ByTeam[leader].ProbabilityFirst);
        Assert.Equal((2, 3), (intervals.ByTeam[twin].Lower, intervals.ByTeam[twin].Upper));
        Assert.Equal((2, 3, 0.0), (intervals.ByTeam[otherTwin].Lower, intervals.ByTeam[otherTwin].Upper, intervals.ByTeam[otherTwin].ProbabilityFirst));
        Assert.Equal((4, 4), (intervals.ByTeam[weak].Lower, intervals.ByTeam[weak].Upper));
        Assert.Equal([1, 2, 2, 3], new[] { leader, twin, otherTwin, weak }.Select(t => intervals.ByTeam[t].Group));

        // The read path hands out the intervals of the board they were computed from.
        var board = await _harness.Get<LeaderboardService>().GetAsync(_world.Task.Id, LeaderboardKind.Private);
        Assert.Same(intervals, service.For(board));
        await using var db = _harness.CreateDbContext();
        foreach (var row in board.Rows)
        {
            var submission = await db.Submissions.Include(s => s.StoredFile).SingleAsync(s => s.Id == row.SubmissionId);
            Assert.Equal(submission.TeamId, row.TeamId);
            Assert.Equal(submission.StoredFile!.Sha256, row.Sha256);
            Assert.Equal(Challenge.Scoring.ScorerVersion.Current, row.ScorerVersion);
            Assert.Equal(_world.Task.SolutionVersion, row.SolutionVersion);
        }
    }

    [DatabaseFact]
    public async Task A_new_score_starts_a_recomputation_in_the_background_and_the_read_does_not_wait_for_it()
    {
        await ScoredTeamAsync("ada", _ => true);
        var service = _harness.Get<RankIntervalService>();
        var leaderboards = _harness.Get<LeaderboardService>();
        var first = await service.ComputeNowAsync(_world.Task.Id, LeaderboardKind.Public);
        Assert.Single(first!.ByTeam);

        var computed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        service.Computed += (task, kind) =>
        {
            if (task == _world.Task.Id && kind == LeaderboardKind.Public)
            {
                computed.TrySetResult();
            }
        };
        await ScoredTeamAsync("bob", row => row % 3 != 0);
        await computed.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var board = await leaderboards.GetAsync(_world.Task.Id, LeaderboardKind.Public);
        var fresh = service.For(board);
        Assert.NotNull(fresh);
        Assert.Equal(2, fresh.ByTeam.Count);
    }

    [DatabaseFact]
    public async Task A_recomputation_that_reads_only_the_new_file_gives_what_reading_every_file_gives()
    {
        await ScoredTeamAsync("ada", row => row % 4 != 0);
        await ScoredTeamAsync("bob", row => row % 3 != 0);
        var service = _harness.Get<RankIntervalService>();
        await service.ComputeNowAsync(_world.Task.Id, LeaderboardKind.Private);
        var newcomer = await ScoredTeamAsync("cy", row => row % 5 != 0);

        var reused = await service.ComputeNowAsync(_world.Task.Id, LeaderboardKind.Private);
        // A service of its own has read no file yet, so it reads every one.
        var fresh = await ActivatorUtilities.CreateInstance<RankIntervalService>(_harness.Services).ComputeNowAsync(_world.Task.Id, LeaderboardKind.Private);

        Assert.Equal(3, reused!.ByTeam.Count);
        Assert.Contains(newcomer, reused.ByTeam.Keys);
        foreach (var (team, interval) in fresh!.ByTeam)
        {
            var other = reused.ByTeam[team];
            Assert.Equal((interval.Lower, interval.Upper, interval.Group, interval.ProbabilityFirst), (other.Lower, other.Upper, other.Group, other.ProbabilityFirst));
        }
    }
}

public sealed class RankIntervalServiceTestsOnSqlite() : RankIntervalServiceTests(Challenge.Core.Data.DatabaseProviders.Sqlite);

public sealed class RankIntervalServiceTestsOnPostgres() : RankIntervalServiceTests(Challenge.Core.Data.DatabaseProviders.Postgres), IPostgresTests;
