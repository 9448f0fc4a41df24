using Challenge.Core.Leaderboards;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Tests;

// A task under the Ladder: the public board shows a team's new score only when it beats the shown
// one by more than the margin; the private board is untouched.
public sealed class LadderBoardTests : IAsyncLifetime
{
    private CoreHarness _harness = default!;
    private CompetitionWorld _world = default!;

    public async Task InitializeAsync()
    {
        _harness = await CoreHarness.StartAsync();
        _world = await CompetitionWorld.CreateAsync(_harness);
        await using var db = _harness.CreateDbContext();
        await db.Tasks.ExecuteUpdateAsync(t => t.SetProperty(x => x.LadderMargin, 0.05));
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task A_small_gain_keeps_the_shown_score_a_real_one_moves_it_and_private_scores_are_exact()
    {
        var (ada, team) = await _world.TeamAsync("ada");
        var leaderboards = _harness.Get<LeaderboardService>();
        // Public rows are the even ones: right on the first k rows gives a public score of k / 200.
        async Task<double?> AfterAsync(int rightBelow)
        {
            var result = await _world.SubmitAsync(ada, CompetitionWorld.SubmissionCsv(row => row < rightBelow));
            await _world.WaitForScoringAsync(result.Submission!.Id);
            return Assert.Single((await leaderboards.GetAsync(_world.Task.Id, LeaderboardKind.Public)).Rows).Score;
        }

        Assert.Equal(0.50, await AfterAsync(100));
        Assert.Equal(0.50, await AfterAsync(104));   // 0.52: within the margin, not shown
        Assert.Equal(0.50, await AfterAsync(108));   // 0.54: still within the margin of the shown 0.50
        Assert.Equal(0.60, await AfterAsync(120));   // a real improvement is shown
        var privateRow = Assert.Single((await leaderboards.GetAsync(_world.Task.Id, LeaderboardKind.Private)).Rows);
        Assert.Equal(0.60, privateRow.Score);
        Assert.Null(privateRow.Lower);

        // The chart of the team's best over time follows the board: 0.52 and 0.54 never appear.
        var series = Assert.Single(await leaderboards.ProgressionAsync(_world.Task.Id, [team.Id]));
        Assert.Equal([0.50, 0.60], series.Points.Select(p => Math.Round(p.BestScore, 9)));
    }

    [Fact]
    public async Task The_team_reads_what_the_board_showed_after_each_submission_not_the_exact_score()
    {
        var (ada, team) = await _world.TeamAsync("ada");
        foreach (var rightBelow in new[] { 100, 104, 120 })
        {
            var result = await _world.SubmitAsync(ada, CompetitionWorld.SubmissionCsv(row => row < rightBelow));
            await _world.WaitForScoringAsync(result.Submission!.Id);
        }

        // Oldest first: 0.50 shown; 0.52 within the margin reads as the shown 0.50; 0.60 shown.
        var mine = (await _harness.Get<Challenge.Core.Submissions.SubmissionService>().ListForTeamAsync(team.Id)).Reverse().ToList();
        Assert.Equal([0.50, 0.50, 0.60], mine.Select(s => s.PublicScore!.Value));
        Assert.All(mine, s => Assert.Null(s.PublicLower));

        // The API's reads of one submission and of the team's list give the same, never the exact 0.52.
        var user = CoreHarness.User(ada);
        var one = await _harness.Get<Challenge.Core.Submissions.SubmissionReads>().GetAsync(mine[1].Id, user);
        Assert.Equal(0.50, one.Value!.Submission.PublicScore);
        var listed = await _harness.Get<Challenge.Core.Submissions.SubmissionReads>().ListMineAsync(_world.Competition, user);
        Assert.DoesNotContain(listed, v => v.Submission.PublicScore is > 0.51 and < 0.53);

        // Organizers still read the exact score.
        var exact = await _harness.Get<Challenge.Core.Submissions.SubmissionReads>().GetAsync(mine[1].Id, _world.Organizer);
        Assert.Equal(0.52, exact.Value!.Submission.PublicScore!.Value, 9);
    }
}
