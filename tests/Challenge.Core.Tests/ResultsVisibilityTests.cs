using Challenge.Core.Leaderboards;
using Challenge.Core.Submissions;
using Challenge.Core.Tasks;
using Challenge.Core.Teams;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Tests;

// What the organizers do to a team's results is visible to that team with the reason, can be
// taken back, and lands in the audit log.
public abstract class ResultsVisibilityTests(string provider) : IAsyncLifetime
{
    private CoreHarness _harness = default!;
    private CompetitionWorld _world = default!;

    public async Task InitializeAsync()
    {
        _harness = await CoreHarness.StartAsync(provider);
        _world = await CompetitionWorld.CreateAsync(_harness);
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private SubmissionAdminService Admin => _harness.Get<SubmissionAdminService>();

    private async Task<IReadOnlyList<string>> ActionsAsync()
    {
        await using var db = _harness.CreateDbContext();
        return await db.AuditLog.OrderBy(a => a.Id).Select(a => a.Action + ": " + a.Detail).ToListAsync();
    }

    [DatabaseFact]
    public async Task A_hidden_submission_leaves_the_board_and_its_team_sees_why()
    {
        var (ada, team) = await _world.TeamAsync("ada");
        var scored = await _world.WaitForScoringAsync((await _world.SubmitAsync(ada, CompetitionWorld.SubmissionCsv(_ => true))).Submission!.Id);

        Assert.True(await Admin.SetHiddenAsync(scored.Id, true, _world.Organizer, "  Uses the test labels.  "));

        var seen = Assert.Single(await _harness.Get<SubmissionService>().ListForTeamAsync(team.Id));
        Assert.True(seen.IsHidden);
        Assert.Equal("Uses the test labels.", seen.HiddenReason);
        var board = await _harness.Get<LeaderboardService>().GetAsync(_world.Task.Id, LeaderboardKind.Public);
        Assert.DoesNotContain(board.Rows, r => r.TeamId == team.Id && r.Score is not null);
        Assert.Contains($"submission.hidden: submission {scored.Id}: Uses the test labels.", await ActionsAsync());

        Assert.True(await Admin.SetHiddenAsync(scored.Id, false, _world.Organizer));
        var shown = Assert.Single(await _harness.Get<SubmissionService>().ListForTeamAsync(team.Id));
        Assert.Equal((false, null), (shown.IsHidden, shown.HiddenReason));
    }

    [DatabaseFact]
    public async Task A_disqualification_is_shown_to_the_team_refuses_its_uploads_and_can_be_reversed()
    {
        var (ada, team) = await _world.TeamAsync("ada");
        await _world.WaitForScoringAsync((await _world.SubmitAsync(ada, CompetitionWorld.SubmissionCsv(_ => true))).Submission!.Id);

        Assert.True(await Admin.DisqualifyAsync(team.Id, "Two accounts.", _world.Organizer));
        var refused = await _world.SubmitAsync(ada, CompetitionWorld.SubmissionCsv(_ => true));
        Assert.Equal(SubmitRefusal.Disqualified, refused.Refusal);
        Assert.Equal("Your team was disqualified: Two accounts.", refused.Message);
        Assert.Equal("Two accounts.", (await _harness.Get<TeamService>().GetMembershipAsync(_world.Competition.Id, ada)).Team!.DisqualificationReason);

        // Only a disqualified team can be reinstated, and only by someone who manages the challenge.
        Assert.False(await Admin.ReinstateAsync(team.Id, "appeal", CoreHarness.User(ada)));
        Assert.True(await Admin.ReinstateAsync(team.Id, "Appeal accepted: siblings.", _world.Organizer));
        Assert.False(await Admin.ReinstateAsync(team.Id, "again", _world.Organizer));

        Assert.Null((await _harness.Get<TeamService>().GetMembershipAsync(_world.Competition.Id, ada)).Team!.DisqualifiedAtUtc);
        Assert.True((await _world.SubmitAsync(ada, CompetitionWorld.SubmissionCsv(_ => true))).Accepted);
        var board = await _harness.Get<LeaderboardService>().GetAsync(_world.Task.Id, LeaderboardKind.Public);
        Assert.Contains(board.Rows, r => r.TeamId == team.Id && r.Score is not null);
        Assert.Contains("team.reinstated: 'Team ada' (disqualified for: Two accounts.): Appeal accepted: siblings.", await ActionsAsync());
    }

    [Fact]
    public void A_formula_ranked_annotation_shows_each_variable_and_hides_private_values_until_the_reveal()
    {
        var task = new CompetitionTask { Slug = "debris", Title = "Debris", Family = TaskFamily.Annotation, Metric = "honeypot_accuracy", RankingFormula = "70 * labelled / max_labelled + 30 * honeypot_accuracy" };
        var submission = new Submission
        {
            SubmittedById = "u", FileName = "kili.json", QuotaDay = "2026-12-06", Status = SubmissionStatus.Scored, PublicScore = 70, PrivateScore = 65,
            DetailJson = """{"variables":{"public":{"labelled":40,"honeypot_accuracy":0,"f1":1},"private":{"labelled":38,"honeypot_accuracy":0.5,"f1":0.9},"overall":{"labelled":78}}}""",
        };

        var before = ScoreBreakdown.For(submission, task, privateRevealed: false);
        Assert.Equal(
            [new("Ranking formula: 70 * labelled / max_labelled + 30 * honeypot_accuracy", 70, null), new("labelled", 40, null), new("honeypot_accuracy", 0, null), new("f1", 1, null)],
            before);

        var after = ScoreBreakdown.For(submission, task, privateRevealed: true);
        Assert.Equal(new ScoreComponent("honeypot_accuracy", 0, 0.5), after[2]);
        Assert.Equal(65, after[0].Private);

        var label = new CompetitionTask { Slug = "t", Title = "T", Metric = "accuracy" };
        Assert.Equal([new ScoreComponent("Accuracy", 70, null)], ScoreBreakdown.For(submission, label, privateRevealed: false));
        Assert.Empty(ScoreBreakdown.For(new Submission { SubmittedById = "u", FileName = "f", QuotaDay = "d", Status = SubmissionStatus.Rejected }, label, true));
    }
}

public sealed class ResultsVisibilityTestsOnSqlite() : ResultsVisibilityTests(Challenge.Core.Data.DatabaseProviders.Sqlite);

public sealed class ResultsVisibilityTestsOnPostgres() : ResultsVisibilityTests(Challenge.Core.Data.DatabaseProviders.Postgres), IPostgresTests;
