using Challenge.Core.Submissions;
using Challenge.Testing;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Tests;

// A failure is the team's (a refused file) or the platform's (a scorer crash, a timeout, a lost node); the
// platform's give the submission back to the quota, once however often they happen.
public abstract class FairQuotaTests(string provider) : IAsyncLifetime
{
    private CoreHarness _harness = default!;
    private CompetitionWorld _world = default!;

    public async Task InitializeAsync()
    {
        _harness = await CoreHarness.StartAsync(provider);
        _world = await CompetitionWorld.CreateAsync(_harness, dailyLimit: 3);
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    // Two scored submissions of a new team, so that a submission given back twice would show in the quota.
    private async Task<(long Id, int TeamId)> ScoredAsync(string name)
    {
        var (user, team) = await _world.TeamAsync(name);
        var result = await _world.SubmitAsync(user, CompetitionWorld.SubmissionCsv(_ => true));
        Assert.True(result.Accepted, result.Message);
        await _world.WaitForScoringAsync(result.Submission!.Id);
        var second = await _world.SubmitAsync(user, CompetitionWorld.SubmissionCsv(row => row % 2 == 0));
        await _world.WaitForScoringAsync(second.Submission!.Id);
        return (result.Submission.Id, team.Id);
    }

    private async Task<int> UsedAsync(int teamId)
    {
        await using var db = _harness.CreateDbContext();
        return await db.DailyQuotas.Where(q => q.TeamId == teamId).SumAsync(q => q.Used);
    }

    // Puts the submission back as if a scorer were about to try it for the last time (or, with an
    // expired claim, as if the process that held it died).
    private async Task LastTryAsync(long id, bool abandoned)
    {
        await using var db = _harness.CreateDbContext();
        await db.Submissions.Where(s => s.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(x => x.Status, abandoned ? SubmissionStatus.Scoring : SubmissionStatus.Queued)
            .SetProperty(x => x.ScoringAttempts, abandoned ? SubmissionRules.MaxScoringAttempts : SubmissionRules.MaxScoringAttempts - 1)
            .SetProperty(x => x.ScoringClaim, abandoned ? Guid.NewGuid() : null)
            .SetProperty(x => x.ScoringLeaseUntilUtc, abandoned ? DateTime.UtcNow.AddSeconds(-1) : null));
    }

    [DatabaseFact]
    public async Task A_scorer_crash_gives_the_submission_back_once_and_never_twice()
    {
        var (id, team) = await ScoredAsync("ada");
        Assert.Equal(2, await UsedAsync(team));
        await using (var db = _harness.CreateDbContext())
        {
            // The stored file vanishes: reading it throws inside the scorer, a failure of the platform's.
            var key = await db.Submissions.Where(s => s.Id == id).Select(s => s.StoredFile!.StorageKey).SingleAsync();
            File.Delete(Path.Combine(_harness.Directory, "files", key));
        }

        for (var failure = 0; failure < 2; failure++)
        {
            await LastTryAsync(id, abandoned: false);
            await _harness.Get<SubmissionScorer>().ScoreAsync(id);
            var failed = await _world.WaitForScoringAsync(id);
            Assert.Equal(SubmissionStatus.Failed, failed.Status);
            Assert.Equal(SubmissionFailure.ScorerCrash, failed.FailureKind);
            Assert.False(failed.CountsAgainstQuota);
            Assert.EndsWith(SubmissionScorer.GivenBackMessage, failed.FailureMessage);
            Assert.Equal(1, await UsedAsync(team));
        }
    }

    [DatabaseFact]
    public async Task A_lost_node_gives_the_submission_back_once_and_never_twice()
    {
        var (id, team) = await ScoredAsync("ada");
        var (_, other) = await ScoredAsync("bob");

        for (var failure = 0; failure < 2; failure++)
        {
            await LastTryAsync(id, abandoned: true);
            await _harness.Get<SubmissionScorer>().ScoreAsync(id);
            var failed = await _world.WaitForScoringAsync(id);
            Assert.Equal(SubmissionStatus.Failed, failed.Status);
            Assert.Equal(SubmissionFailure.NodeLost, failed.FailureKind);
            Assert.Equal(1, await UsedAsync(team));
        }
        Assert.Equal(2, await UsedAsync(other));
    }

    [DatabaseFact]
    public async Task A_scoring_attempt_past_the_time_limit_fails_as_a_timeout_and_gives_the_submission_back_once()
    {
        // A limit of one tick: every attempt runs past it.
        await using var harness = await CoreHarness.StartAsync(provider, settings: new Dictionary<string, string?> { ["Scoring:TimeLimit"] = "00:00:00.0000001" });
        var world = await CompetitionWorld.CreateAsync(harness, dailyLimit: 3);
        var (user, team) = await world.TeamAsync("ada");
        var result = await world.SubmitAsync(user, CompetitionWorld.SubmissionCsv(_ => true));
        Assert.True(result.Accepted, result.Message);
        var id = result.Submission!.Id;

        var failed = await world.WaitForScoringAsync(id);
        Assert.Equal(SubmissionStatus.Failed, failed.Status);
        Assert.Equal(SubmissionFailure.Timeout, failed.FailureKind);
        Assert.Equal(1, failed.ScoringAttempts);
        Assert.False(failed.CountsAgainstQuota);
        Assert.Equal(SubmissionScorer.TimeoutMessage(TimeSpan.FromTicks(1)) + SubmissionScorer.GivenBackMessage, failed.FailureMessage);
        await using (var db = harness.CreateDbContext())
        {
            Assert.Equal(0, await db.DailyQuotas.Where(q => q.TeamId == team.Id).SumAsync(q => q.Used));
            // Two more submissions of the day, so that giving this one back again would show.
            await db.DailyQuotas.Where(q => q.TeamId == team.Id).ExecuteUpdateAsync(q => q.SetProperty(x => x.Used, 2));
            await db.Submissions.Where(s => s.Id == id).ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Status, SubmissionStatus.Queued).SetProperty(x => x.ScoringAttempts, 0));
        }

        await harness.Get<SubmissionScorer>().ScoreAsync(id);
        var again = await world.WaitForScoringAsync(id);
        Assert.Equal(SubmissionFailure.Timeout, again.FailureKind);
        await using (var db = harness.CreateDbContext())
        {
            Assert.Equal(2, await db.DailyQuotas.Where(q => q.TeamId == team.Id).SumAsync(q => q.Used));
        }
    }

    [DatabaseFact]
    public async Task A_refused_file_is_given_back_only_where_the_challenge_says_refused_files_are_free()
    {
        var (ada, adaTeam) = await _world.TeamAsync("ada");
        var refused = await _world.SubmitAsync(ada, "Id,Category\n0,nonsense\n");
        var rejected = await _world.WaitForScoringAsync(refused.Submission!.Id);
        Assert.Equal(SubmissionStatus.Rejected, rejected.Status);
        Assert.Equal(SubmissionFailure.FileRefused, rejected.FailureKind);
        Assert.Equal(0, await UsedAsync(adaTeam.Id));

        await using (var db = _harness.CreateDbContext())
        {
            await db.Competitions.ExecuteUpdateAsync(c => c.SetProperty(x => x.RejectedSubmissionsCount, true));
        }
        var (bob, bobTeam) = await _world.TeamAsync("bob");
        var counted = await _world.SubmitAsync(bob, "Id,Category\n0,nonsense\n");
        Assert.Equal(SubmissionStatus.Rejected, (await _world.WaitForScoringAsync(counted.Submission!.Id)).Status);
        Assert.Equal(1, await UsedAsync(bobTeam.Id));
    }

    [DatabaseFact]
    public async Task An_organizer_grants_one_team_extra_submissions_for_today_with_a_reason_that_is_audited()
    {
        var (ada, team) = await _world.TeamAsync("ada");
        var (bob, _) = await _world.TeamAsync("bob");
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await _world.SubmitAsync(ada, CompetitionWorld.SubmissionCsv(_ => true))).Accepted);
        }
        Assert.Equal(SubmitRefusal.QuotaExhausted, (await _world.SubmitAsync(ada, CompetitionWorld.SubmissionCsv(_ => true))).Refusal);
        var admin = _harness.Get<SubmissionAdminService>();

        Assert.Equal(Challenge.Core.Outcomes.OutcomeStatus.Invalid, (await admin.GrantExtraSubmissionsAsync(team.Id, _world.Task.Id, 2, " ", _world.Organizer)).Status);
        Assert.Equal(Challenge.Core.Outcomes.OutcomeStatus.NotFound, (await admin.GrantExtraSubmissionsAsync(team.Id, _world.Task.Id, 2, "outage", CoreHarness.User("someone"))).Status);
        Assert.Equal(2, (await admin.GrantExtraSubmissionsAsync(team.Id, _world.Task.Id, 2, "the server was down for an hour", _world.Organizer)).Value);

        Assert.Equal(5, (await _harness.Get<SubmissionService>().GetQuotaAsync(team.Id, _world.Task.Id)).Limit);
        Assert.True((await _world.SubmitAsync(ada, CompetitionWorld.SubmissionCsv(_ => true))).Accepted);
        Assert.True((await _world.SubmitAsync(ada, CompetitionWorld.SubmissionCsv(_ => true))).Accepted);
        Assert.Equal(SubmitRefusal.QuotaExhausted, (await _world.SubmitAsync(ada, CompetitionWorld.SubmissionCsv(_ => true))).Refusal);
        await using var db = _harness.CreateDbContext();
        var audit = await db.AuditLog.SingleAsync(a => a.Action == "quota.granted");
        Assert.Contains("the server was down for an hour", audit.Detail);
        Assert.Contains("'Team ada'", audit.Detail);
    }
}

public sealed class FairQuotaTestsOnSqlite() : FairQuotaTests(Challenge.Core.Data.DatabaseProviders.Sqlite);

public sealed class FairQuotaTestsOnPostgres() : FairQuotaTests(Challenge.Core.Data.DatabaseProviders.Postgres), IPostgresTests;
