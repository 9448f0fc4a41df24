using System.Text.Json;
using Challenge.Core.Leaderboards;
using Challenge.Core.Submissions;
using Challenge.Core.Tasks;
using Challenge.Scoring;
using Challenge.Scoring.Validation;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Tests;

public abstract class SubmissionFlowTests(string provider) : IAsyncLifetime
{
    private CoreHarness _harness = default!;
    private CompetitionWorld _world = default!;

    public async Task InitializeAsync()
    {
        _harness = await CoreHarness.StartAsync(provider);
        _world = await CompetitionWorld.CreateAsync(_harness);
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [DatabaseFact]
    public async Task A_submission_is_stored_queued_and_scored_on_both_parts()
    {
        var (ada, _) = await _world.TeamAsync("ada");

        // Right on all public rows (even Ids) and on half of the private ones.
        var result = await _world.SubmitAsync(ada, CompetitionWorld.SubmissionCsv(row => row % 2 == 0 || row % 4 == 1));
        Assert.True(result.Accepted, result.Message);
        var scored = await _world.WaitForScoringAsync(result.Submission!.Id);

        Assert.Equal(SubmissionStatus.Scored, scored.Status);
        Assert.Equal(1.0, scored.PublicScore);
        Assert.Equal(0.5, scored.PrivateScore);
        Assert.Equal(0.75, scored.OverallScore);
        Assert.Equal(ScorerVersion.Current, scored.ScorerVersion);
        Assert.Equal(1, scored.ScoringAttempts);
    }

    [DatabaseFact]
    public async Task Twenty_parallel_uploads_against_a_quota_of_five_accept_exactly_five()
    {
        var (ada, team) = await _world.TeamAsync("ada");
        var csv = CompetitionWorld.SubmissionCsv(_ => true);

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => _world.SubmitAsync(ada, csv))));

        Assert.Equal(5, results.Count(r => r.Accepted));
        Assert.All(results.Where(r => !r.Accepted), r => Assert.Equal(SubmitRefusal.QuotaExhausted, r.Refusal));
        await using var db = _harness.CreateDbContext();
        Assert.Equal(5, await db.Submissions.CountAsync(s => s.TeamId == team.Id));
        Assert.Equal(5, (await db.DailyQuotas.SingleAsync(q => q.TeamId == team.Id)).Used);
        Assert.Equal(5, await db.StoredFiles.CountAsync(f => f.StorageKey.StartsWith("submissions/")));
        Assert.Equal(5, Directory.GetFiles(Path.Combine(_harness.Directory, "files", "submissions"), "*", SearchOption.AllDirectories).Length);
    }

    [DatabaseFact]
    public async Task A_rejected_file_explains_itself_and_gives_its_quota_back()
    {
        var (ada, team) = await _world.TeamAsync("ada");

        var result = await _world.SubmitAsync(ada, "Id,Category\n0,Forest\n0,Forest\n1,NotAClass\n");
        var rejected = await _world.WaitForScoringAsync(result.Submission!.Id);

        Assert.Equal(SubmissionStatus.Rejected, rejected.Status);
        var errors = JsonSerializer.Deserialize<List<ValidationError>>(rejected.ErrorsJson!, SubmissionScorer.Json)!;
        Assert.Contains(errors, e => e.Line == 3 && e.Message.Contains("0", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Line == 4 && e.Message.Contains("NotAClass", StringComparison.Ordinal));
        Assert.False(rejected.CountsAgainstQuota);
        var quota = await _harness.Get<SubmissionService>().GetQuotaAsync(team.Id, _world.Task.Id);
        Assert.Equal(0, quota.Used);
        Assert.Equal(5, quota.Left);
    }

    [DatabaseFact]
    public async Task Someone_who_has_not_accepted_the_rules_cannot_submit_and_nothing_is_stored()
    {
        var loner = await _world.RegisterAsync("loner");

        var result = await _world.SubmitAsync(loner, CompetitionWorld.SubmissionCsv(_ => true));

        Assert.Equal(SubmitRefusal.RulesNotAccepted, result.Refusal);
        await using var db = _harness.CreateDbContext();
        Assert.Equal(0, await db.Submissions.CountAsync());
        Assert.Equal(0, await db.Teams.CountAsync());
    }

    [DatabaseFact]
    public async Task A_first_upload_without_a_team_makes_a_one_person_team_named_after_the_submitter()
    {
        var loner = await _world.RegisterAsync("loner");
        await _harness.Get<Teams.TeamService>().AcceptRulesAsync(_world.Competition.Id, loner);
        // Someone already took the name the new team would get.
        var (_, namesake) = await _world.TeamAsync("other");
        await using (var db = _harness.CreateDbContext())
        {
            await db.Teams.Where(t => t.Id == namesake.Id).ExecuteUpdateAsync(t => t.SetProperty(x => x.Name, "loner"));
        }

        var result = await _world.SubmitAsync(loner, CompetitionWorld.SubmissionCsv(_ => true));

        Assert.True(result.Accepted, result.Message);
        var membership = await _harness.Get<Teams.TeamService>().GetMembershipAsync(_world.Competition.Id, loner);
        Assert.Equal("loner (2)", membership.Team!.Name);
        Assert.Equal([loner], membership.Members.Select(m => m.UserId));
        Assert.Equal(membership.Team.Id, result.Submission!.TeamId);
        Assert.Equal(SubmissionStatus.Scored, (await _world.WaitForScoringAsync(result.Submission.Id)).Status);
    }

    [DatabaseFact]
    public async Task Parallel_first_uploads_end_in_one_team_and_a_refused_file_makes_none()
    {
        var loner = await _world.RegisterAsync("loner");
        await _harness.Get<Teams.TeamService>().AcceptRulesAsync(_world.Competition.Id, loner);
        await using (var db = _harness.CreateDbContext())
        {
            await db.Tasks.ExecuteUpdateAsync(t => t.SetProperty(x => x.MaxSubmissionBytes, 100L));
        }
        var tooLarge = await _world.SubmitAsync(loner, CompetitionWorld.SubmissionCsv(_ => true));
        Assert.Equal(SubmitRefusal.TooLarge, tooLarge.Refusal);
        await using (var db = _harness.CreateDbContext())
        {
            Assert.Equal(0, await db.Teams.CountAsync());
            await db.Tasks.ExecuteUpdateAsync(t => t.SetProperty(x => x.MaxSubmissionBytes, 1L << 20));
        }

        var csv = CompetitionWorld.SubmissionCsv(_ => true);
        var results = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => _world.SubmitAsync(loner, csv))));

        Assert.All(results, r => Assert.True(r.Accepted, r.Message));
        Assert.Single(results.Select(r => r.Submission!.TeamId).Distinct());
        await using var check = _harness.CreateDbContext();
        Assert.Equal(1, await check.Teams.CountAsync());
    }

    [DatabaseFact]
    public async Task A_file_over_the_task_limit_is_refused_without_being_stored()
    {
        var (ada, _) = await _world.TeamAsync("ada");
        await using (var db = _harness.CreateDbContext())
        {
            await db.Tasks.ExecuteUpdateAsync(t => t.SetProperty(x => x.MaxSubmissionBytes, 1000L));
        }

        var result = await _world.SubmitAsync(ada, CompetitionWorld.SubmissionCsv(_ => true));

        Assert.Equal(SubmitRefusal.TooLarge, result.Refusal);
        Assert.Contains("1,000 bytes", result.Message);
        await using var check = _harness.CreateDbContext();
        Assert.Equal(0, await check.Submissions.CountAsync());
        Assert.Empty(Directory.Exists(Path.Combine(_harness.Directory, "files", "submissions"))
            ? Directory.GetFiles(Path.Combine(_harness.Directory, "files", "submissions"), "*", SearchOption.AllDirectories)
            : []);
    }

    [DatabaseFact]
    public async Task Equal_scores_rank_the_earlier_submission_first()
    {
        var (late, _) = await _world.TeamAsync("late");
        var (early, _) = await _world.TeamAsync("early");
        var csv = CompetitionWorld.SubmissionCsv(row => row % 3 != 0);

        var first = await _world.SubmitAsync(early, csv);
        await _world.WaitForScoringAsync(first.Submission!.Id);
        var second = await _world.SubmitAsync(late, csv);
        await _world.WaitForScoringAsync(second.Submission!.Id);

        var board = await _harness.Get<LeaderboardService>().GetAsync(_world.Task.Id, LeaderboardKind.Public);
        Assert.Equal(["Team early", "Team late"], board.Rows.Select(r => r.Team));
        Assert.Equal([1, 2], board.Rows.Select(r => r.Rank!.Value));
    }

    [DatabaseFact]
    public async Task The_charts_follow_each_teams_best_score_and_count_submissions_per_day()
    {
        var (ada, team) = await _world.TeamAsync("ada");
        foreach (var right in new Func<int, bool>[] { row => row % 2 == 1, row => row % 4 == 0 || row % 2 == 1, row => row % 8 == 0 || row % 2 == 1, _ => true })
        {
            var result = await _world.SubmitAsync(ada, CompetitionWorld.SubmissionCsv(right));
            await _world.WaitForScoringAsync(result.Submission!.Id);
        }
        var leaderboards = _harness.Get<LeaderboardService>();

        var series = Assert.Single(await leaderboards.ProgressionAsync(_world.Task.Id, [team.Id]));
        var perDay = Assert.Single(await leaderboards.SubmissionsPerDayAsync(_world.Task.Id));

        // Public rows are the even Ids: 0, 0.5, 0.25 (no new best), then 1.
        Assert.Equal([0.0, 0.5, 1.0], series.Points.Select(p => p.BestScore));
        Assert.Equal(4, perDay.Submissions);
        // A day is the UTC midnight that starts it, ready for a time axis.
        Assert.Equal((DateTimeKind.Utc, TimeSpan.Zero), (perDay.Day.Kind, perDay.Day.TimeOfDay));
    }

    [DatabaseFact]
    public async Task The_private_board_uses_the_selected_submissions_or_else_the_two_best_public_ones()
    {
        var (selects, selectsTeam) = await _world.TeamAsync("selects");
        var (trusts, _) = await _world.TeamAsync("trusts");

        // Public rows are the even Ids, private rows the odd ones.
        async Task<long> Submit(string user, Func<int, bool> right)
        {
            var result = await _world.SubmitAsync(user, CompetitionWorld.SubmissionCsv(right));
            return (await _world.WaitForScoringAsync(result.Submission!.Id)).Id;
        }
        var bestPublicWeakPrivate = await Submit(selects, row => row % 2 == 0);
        var weakPublicBestPrivate = await Submit(selects, row => row % 2 == 1 || row % 4 == 0);
        Assert.Null(await _harness.Get<SubmissionService>().SetSelectedAsync(weakPublicBestPrivate, selects, true));

        await Submit(trusts, row => row % 2 == 0 || row % 8 == 1);   // public 1.0, private 0.25
        await Submit(trusts, row => row % 4 == 0 || row % 2 == 1);   // public 0.5, private 1.0
        await Submit(trusts, row => row % 8 == 0 || row % 2 == 1);   // public 0.25, private 1.0: third-best public, never counted

        var board = await _harness.Get<LeaderboardService>().GetAsync(_world.Task.Id, LeaderboardKind.Private);
        var selectsRow = board.Rows.Single(r => r.TeamId == selectsTeam.Id);
        Assert.Equal(1.0, selectsRow.Score);
        var trustsRow = board.Rows.Single(r => r.Team == "Team trusts");
        Assert.Equal(1.0, trustsRow.Score);
        Assert.NotNull(trustsRow.PublicRank);
        _ = bestPublicWeakPrivate;
    }

    [DatabaseFact]
    public async Task A_team_cannot_select_more_submissions_than_the_challenge_allows()
    {
        var (ada, _) = await _world.TeamAsync("ada");
        var ids = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            var result = await _world.SubmitAsync(ada, CompetitionWorld.SubmissionCsv(row => row % (i + 2) != 0));
            ids.Add((await _world.WaitForScoringAsync(result.Submission!.Id)).Id);
        }
        var service = _harness.Get<SubmissionService>();

        Assert.Null(await service.SetSelectedAsync(ids[0], ada, true));
        Assert.Null(await service.SetSelectedAsync(ids[1], ada, true));
        var refused = await service.SetSelectedAsync(ids[2], ada, true);

        Assert.Contains("unselect one first", refused);
        await using var db = _harness.CreateDbContext();
        Assert.Equal(2, await db.Submissions.CountAsync(s => s.IsSelected));
    }

    [DatabaseFact]
    public async Task Rescoring_after_the_solution_changes_updates_every_score_and_records_the_versions()
    {
        var (ada, _) = await _world.TeamAsync("ada");
        var result = await _world.SubmitAsync(ada, CompetitionWorld.SubmissionCsv(_ => true));
        var before = await _world.WaitForScoringAsync(result.Submission!.Id);
        Assert.Equal(1.0, before.OverallScore);

        // The organizer fixes the truth of every fourth row.
        var corrected = CompetitionWorld.SolutionCsv(row => row % 4 == 0 ? CompetitionWorld.Classes[(Array.IndexOf(CompetitionWorld.Classes, CompetitionWorld.Truth(row)) + 3) % 10] : CompetitionWorld.Truth(row));
        var upload = await _harness.Get<TaskService>().UploadSolutionAsync(_world.Task.Id, CompetitionWorld.Stream(corrected), "solution-v2.csv", _world.Organizer);
        Assert.True(upload.Accepted);
        var queued = await _harness.Get<SubmissionAdminService>().RescoreAsync(_world.Task.Id, null, _world.Organizer);
        Assert.Equal(1, queued);

        var after = await _world.WaitForScoringAsync(result.Submission.Id);
        Assert.Equal(0.75, after.OverallScore);
        Assert.Equal(before.SolutionVersion + 1, after.SolutionVersion);
        Assert.Equal(ScorerVersion.Current, after.ScorerVersion);
        await using var db = _harness.CreateDbContext();
        Assert.Contains(await db.AuditLog.Select(a => a.Action).ToListAsync(), a => a == "rescore");
    }

    [DatabaseFact]
    public async Task A_rejected_solution_changes_nothing_stored()
    {
        var upload = await _harness.Get<TaskService>().UploadSolutionAsync(_world.Task.Id, CompetitionWorld.Stream("Id,Category\n1,Forest\n1,River\n"), "bad.csv", _world.Organizer);

        Assert.False(upload.Accepted);
        Assert.Contains(upload.Report.Errors, e => e.Line == 3);
        await using var db = _harness.CreateDbContext();
        var task = await db.Tasks.SingleAsync();
        Assert.Equal(_world.Task.SolutionVersion, task.SolutionVersion);
        Assert.Equal(_world.Task.SolutionFileId, task.SolutionFileId);
        Assert.Equal(1, await db.StoredFiles.CountAsync());
    }
}

public sealed class SubmissionFlowTestsOnSqlite() : SubmissionFlowTests(Challenge.Core.Data.DatabaseProviders.Sqlite);

public sealed class SubmissionFlowTestsOnPostgres() : SubmissionFlowTests(Challenge.Core.Data.DatabaseProviders.Postgres), IPostgresTests;

public abstract class DeadlineTests(string provider)
{
    [DatabaseFact]
    public async Task The_trigger_at_the_final_deadline_reveals_the_private_leaderboard_and_closes_submissions()
    {
        await using var harness = await CoreHarness.StartAsync(provider);
        var world = await CompetitionWorld.CreateAsync(harness);
        var (ada, _) = await world.TeamAsync("ada");
        Assert.True((await world.SubmitAsync(ada, CompetitionWorld.SubmissionCsv(_ => true))).Accepted);

        // Move the end three seconds ahead through the organizer's own edit, which schedules the trigger.
        var edit = Challenge.Core.Challenges.CompetitionInput.From(world.Competition);
        edit.EndsAtUtc = DateTime.UtcNow.AddSeconds(3);
        Assert.True((await harness.Get<Challenge.Core.Challenges.CompetitionService>().UpdateAsync(world.Competition.Id, edit, world.Organizer)).Succeeded);

        var deadline = DateTime.UtcNow.AddSeconds(60);
        DateTime? revealed = null;
        while (revealed is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            await using var db = harness.CreateDbContext();
            revealed = (await db.Competitions.AsNoTracking().SingleAsync()).PrivateRevealedAtUtc;
        }

        Assert.NotNull(revealed);
        var late = await world.SubmitAsync(ada, CompetitionWorld.SubmissionCsv(_ => true));
        Assert.Equal(SubmitRefusal.Closed, late.Refusal);
        await using var check = harness.CreateDbContext();
        Assert.Contains(await check.AuditLog.Select(a => a.Action).ToListAsync(), a => a == "private.revealed");
    }
}

public sealed class DeadlineTestsOnSqlite() : DeadlineTests(Challenge.Core.Data.DatabaseProviders.Sqlite);

public sealed class DeadlineTestsOnPostgres() : DeadlineTests(Challenge.Core.Data.DatabaseProviders.Postgres), IPostgresTests;

public sealed class LeaderboardRankingTests
{
    private static Challenge.Core.Leaderboards.LeaderboardRow Row(int team, double? score, DateTime? at = null, bool baseline = false, double? lower = null, double? upper = null) =>
        new(null, team, $"T{team}", [], score, lower, upper, 1, DateTime.UnixEpoch, at ?? DateTime.UnixEpoch.AddHours(team), baseline, null);

    [Fact]
    public void Missing_scores_go_last_baselines_are_not_ranked_and_ties_go_to_the_earlier_submission()
    {
        var rows = Challenge.Core.Leaderboards.LeaderboardService.Rank(
            [Row(1, null), Row(2, 0.8, DateTime.UnixEpoch.AddHours(5)), Row(3, 0.8, DateTime.UnixEpoch.AddHours(1)), Row(4, 0.9, baseline: true), Row(5, 0.7)],
            higherIsBetter: true);

        Assert.Equal([4, 3, 2, 5, 1], rows.Select(r => r.TeamId));
        Assert.Equal([null, 1, 2, 3, 4], rows.Select(r => r.Rank));
    }

    [Fact]
    public void Lower_is_better_metrics_rank_ascending()
    {
        var rows = Challenge.Core.Leaderboards.LeaderboardService.Rank([Row(1, 0.9), Row(2, 0.3), Row(3, 2.5)], higherIsBetter: false);

        Assert.Equal([2, 1, 3], rows.Select(r => r.TeamId));
    }

    [Fact]
    public void A_rank_is_clearly_ahead_only_when_the_intervals_do_not_overlap()
    {
        var ranked = Challenge.Core.Leaderboards.LeaderboardService.Rank(
            [Row(1, 0.90, lower: 0.88, upper: 0.92), Row(2, 0.86, lower: 0.85, upper: 0.87), Row(3, 0.855, lower: 0.84, upper: 0.865)], higherIsBetter: true);

        var rows = Challenge.Core.Leaderboards.LeaderboardService.WithSignificance(ranked, higherIsBetter: true);

        Assert.Equal([true, false, null], rows.Select(r => r.DiffersFromNext));
    }
}
