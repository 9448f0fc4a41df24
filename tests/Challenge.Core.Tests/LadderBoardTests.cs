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
        var (ada, _) = await _world.TeamAsync("ada");
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
    }
}
