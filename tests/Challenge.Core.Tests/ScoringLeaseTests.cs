using Challenge.Core.Submissions;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Tests;

// Uploads hand submissions to in-process workers, and the sweeper hands over whatever it finds
// waiting or abandoned, so one submission can reach several scorers: the claim and its lease make
// exactly one of them score it.
public sealed class ScoringLeaseTests : IAsyncLifetime
{
    private CoreHarness _harness = default!;
    private CompetitionWorld _world = default!;

    public async Task InitializeAsync()
    {
        _harness = await CoreHarness.StartAsync();
        _world = await CompetitionWorld.CreateAsync(_harness);
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task Many_scorers_handed_the_same_submission_score_it_once()
    {
        var (ada, _) = await _world.TeamAsync("ada");
        var result = await _world.SubmitAsync(ada, CompetitionWorld.SubmissionCsv(_ => true));
        var scorer = _harness.Get<SubmissionScorer>();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => scorer.ScoreAsync(result.Submission!.Id))));
        var scored = await _world.WaitForScoringAsync(result.Submission!.Id);

        Assert.Equal(SubmissionStatus.Scored, scored.Status);
        Assert.Equal(1, scored.ScoringAttempts);
        Assert.Null(scored.ScoringClaim);
        Assert.Null(scored.ScoringLeaseUntilUtc);
    }

    [Fact]
    public async Task A_submission_whose_scorer_still_holds_its_lease_is_left_to_that_scorer()
    {
        var id = await AbandonedAsync(attempts: 1, leaseFromNow: TimeSpan.FromMinutes(1));

        await _harness.Get<SubmissionScorer>().ScoreAsync(id);

        await using var db = _harness.CreateDbContext();
        var submission = await db.Submissions.AsNoTracking().SingleAsync(s => s.Id == id);
        Assert.Equal(SubmissionStatus.Scoring, submission.Status);
        Assert.Equal(1, submission.ScoringAttempts);
    }

    [Fact]
    public async Task A_submission_whose_lease_ran_out_is_scored_again_by_the_next_scorer()
    {
        var id = await AbandonedAsync(attempts: 1, leaseFromNow: TimeSpan.FromSeconds(-1));

        await _harness.Get<SubmissionScorer>().ScoreAsync(id);

        var scored = await _world.WaitForScoringAsync(id);
        Assert.Equal(SubmissionStatus.Scored, scored.Status);
        Assert.Equal(1.0, scored.PublicScore);
        Assert.Equal(2, scored.ScoringAttempts);
    }

    [Fact]
    public async Task A_submission_interrupted_too_often_fails_with_a_message()
    {
        var id = await AbandonedAsync(attempts: SubmissionRules.MaxScoringAttempts, leaseFromNow: TimeSpan.FromSeconds(-1));

        await _harness.Get<SubmissionScorer>().ScoreAsync(id);

        var failed = await _world.WaitForScoringAsync(id);
        Assert.Equal(SubmissionStatus.Failed, failed.Status);
        Assert.Contains($"interrupted {SubmissionRules.MaxScoringAttempts} times", failed.FailureMessage);
        Assert.Null(failed.ScoringClaim);
    }

    [Fact]
    public async Task The_sweeper_rescues_a_submission_abandoned_by_a_dead_scorer()
    {
        var id = await AbandonedAsync(attempts: 1, leaseFromNow: TimeSpan.FromSeconds(-1));

        // The sweeper runs at start and then every few seconds; nothing else queues this submission.
        var scored = await _world.WaitForScoringAsync(id);

        Assert.Equal(SubmissionStatus.Scored, scored.Status);
        Assert.Equal(2, scored.ScoringAttempts);
    }

    // A scored submission turned back into one that a scorer claimed and then abandoned: status
    // Scoring, someone else's claim, its lease ending at the given time.
    private async Task<long> AbandonedAsync(int attempts, TimeSpan leaseFromNow)
    {
        var (ada, _) = await _world.TeamAsync("ada");
        var result = await _world.SubmitAsync(ada, CompetitionWorld.SubmissionCsv(_ => true));
        var id = (await _world.WaitForScoringAsync(result.Submission!.Id)).Id;
        await using var db = _harness.CreateDbContext();
        await db.Submissions.Where(s => s.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(x => x.Status, SubmissionStatus.Scoring)
            .SetProperty(x => x.PublicScore, (double?)null)
            .SetProperty(x => x.ScoringAttempts, attempts)
            .SetProperty(x => x.ScoringClaim, Guid.NewGuid())
            .SetProperty(x => x.ScoringLeaseUntilUtc, DateTime.UtcNow + leaseFromNow));
        return id;
    }
}
