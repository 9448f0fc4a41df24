using Challenge.Core.Leaderboards;
using Challenge.Core.Submissions;
using Challenge.Testing;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Tests;

// A task under the parameter-free Ladder: a team's shown public score moves only when a new
// submission beats the one that set it by more than the standard error of their per-row
// differences on the public rows; the private board and the organizers' view are exact.
public abstract class ParameterFreeLadderTests(string provider) : IAsyncLifetime
{
    private CoreHarness _harness = default!;
    private CompetitionWorld _world = default!;

    public async Task InitializeAsync()
    {
        _harness = await CoreHarness.StartAsync(provider);
        _world = await CompetitionWorld.CreateAsync(_harness, dailyLimit: 30);
        await using var db = _harness.CreateDbContext();
        await db.Tasks.ExecuteUpdateAsync(t => t.SetProperty(x => x.LadderParameterFree, true));
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    // Public rows are the even ones (100 of them). The base is right on every row below 140: 0.70.
    private static bool Base(int row) => row < 140;

    // Right where the base is, except for `fixedRows` public rows it had wrong and `broken` public rows it had right.
    private static Func<int, bool> Probe(Random random, int fixedRows, int broken)
    {
        var wrongPublic = Enumerable.Range(70, 30).Select(i => 2 * i).OrderBy(_ => random.Next()).Take(fixedRows).ToHashSet();
        var rightPublic = Enumerable.Range(0, 70).Select(i => 2 * i).OrderBy(_ => random.Next()).Take(broken).ToHashSet();
        return row => wrongPublic.Contains(row) || (Base(row) && !rightPublic.Contains(row));
    }

    private async Task<long> ScoredAsync(string user, Func<int, bool> right)
    {
        var result = await _world.SubmitAsync(user, CompetitionWorld.SubmissionCsv(right));
        Assert.True(result.Accepted, result.Message);
        var scored = await _world.WaitForScoringAsync(result.Submission!.Id);
        Assert.Equal(SubmissionStatus.Scored, scored.Status);
        // The scorer takes the Ladder's decision right after saving the score.
        for (var wait = 0; ; wait++)
        {
            await using var db = _harness.CreateDbContext();
            if (await db.Submissions.AnyAsync(s => s.Id == scored.Id && s.LadderScore != null))
            {
                break;
            }
            Assert.True(wait < 1200, $"Submission {scored.Id} has no Ladder decision after 60 s.");
            await Task.Delay(50);
        }
        return scored.Id;
    }

    // Read from the database afresh: the values are under test here, not the change notifications.
    private async Task<double?> ShownAsync()
    {
        _harness.Get<LeaderboardService>().Invalidate(_world.Task.Id);
        return Assert.Single((await _harness.Get<LeaderboardService>().GetAsync(_world.Task.Id, LeaderboardKind.Public)).Rows).Score;
    }

    [DatabaseFact]
    public async Task A_stream_of_noise_never_raises_the_shown_public_score_and_a_real_improvement_is_shown()
    {
        var (ada, team) = await _world.TeamAsync("ada");
        await ScoredAsync(ada, Base);
        Assert.Equal(0.70, await ShownAsync());

        // Each probe gets a few more public rows right than it gets wrong: its exact public score is
        // 0.71, one row better, which a board without the Ladder would show. One row is well within
        // the standard error of a change of five to nine rows (about 0.022 to 0.03).
        var random = new Random(11);
        var exact = new List<double>();
        for (var probe = 0; probe < 8; probe++)
        {
            var changed = 3 + probe % 3;
            var id = await ScoredAsync(ada, Probe(random, changed, changed - 1));
            await using (var db = _harness.CreateDbContext())
            {
                exact.Add((await db.Submissions.SingleAsync(s => s.Id == id)).PublicScore!.Value);
            }
            Assert.Equal(0.70, await ShownAsync());
        }
        Assert.All(exact, score => Assert.Equal(0.71, score, 9));

        // Twenty more public rows right and none broken: far beyond the noise.
        await ScoredAsync(ada, row => row < 180);
        Assert.Equal(0.90, await ShownAsync());
        var privateRow = Assert.Single((await _harness.Get<LeaderboardService>().GetAsync(_world.Task.Id, LeaderboardKind.Private)).Rows);
        Assert.Equal(0.90, privateRow.Score);

        // The board's chart of each team's best over time follows the board, not the exact scores.
        var series = Assert.Single(await _harness.Get<LeaderboardService>().ProgressionAsync(_world.Task.Id, [team.Id]));
        Assert.Equal([0.70, 0.90], series.Points.Select(p => Math.Round(p.BestScore, 9)));
    }

    [DatabaseFact]
    public async Task The_team_reads_the_shown_score_and_the_organizer_the_exact_one()
    {
        var (ada, team) = await _world.TeamAsync("ada");
        await ScoredAsync(ada, Base);
        var probe = await ScoredAsync(ada, Probe(new Random(5), 3, 2));
        await ScoredAsync(ada, row => row < 180);

        // Oldest first: 0.70 shown; the probe's exact 0.71 reads as the shown 0.70; 0.90 shown.
        var mine = (await _harness.Get<SubmissionService>().ListForTeamAsync(team.Id)).Reverse().ToList();
        Assert.Equal([0.70, 0.70, 0.90], mine.Select(s => Math.Round(s.PublicScore!.Value, 9)));
        Assert.All(mine, s => Assert.Null(s.PublicLower));

        var reads = _harness.Get<SubmissionReads>();
        var user = CoreHarness.User(ada);
        Assert.Equal(0.70, (await reads.GetAsync(probe, user)).Value!.Submission.PublicScore);
        Assert.DoesNotContain(await reads.ListMineAsync(_world.Competition, user), v => v.Submission.PublicScore is > 0.705 and < 0.715);
        Assert.Equal(0.71, (await reads.GetAsync(probe, _world.Organizer)).Value!.Submission.PublicScore!.Value, 9);
    }

    [DatabaseFact]
    public async Task Decisions_follow_submission_order_even_when_a_later_submission_is_scored_first()
    {
        var (ada, _) = await _world.TeamAsync("ada");
        await ScoredAsync(ada, Base);
        // B: a real improvement to 0.90. C: B plus one more public row and a change of five rows, so
        // against B it is noise, while against the base it would be a clear gain.
        var b = await ScoredAsync(ada, row => row < 180);
        var random = new Random(3);
        var cRight = new HashSet<int>(Enumerable.Range(90, 10).Select(i => 2 * i).OrderBy(_ => random.Next()).Take(3));
        var cWrong = new HashSet<int>(Enumerable.Range(0, 90).Select(i => 2 * i).OrderBy(_ => random.Next()).Take(2));
        var c = await ScoredAsync(ada, row => cRight.Contains(row) || (row < 180 && !cWrong.Contains(row)));
        Assert.Equal(0.90, await ShownAsync());

        // B is still being scored (as if by another node) when C's scorer walks the team's ladder.
        await using (var db = _harness.CreateDbContext())
        {
            await db.Submissions.Where(s => s.Id == b || s.Id == c).ExecuteUpdateAsync(s => s
                .SetProperty(x => x.LadderScore, (double?)null).SetProperty(x => x.LadderMoved, false));
            await db.Submissions.Where(s => s.Id == b).ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Status, SubmissionStatus.Scoring)
                .SetProperty(x => x.ScoringClaim, Guid.NewGuid())
                .SetProperty(x => x.ScoringLeaseUntilUtc, DateTime.UtcNow.AddHours(1)));
        }
        var ladder = _harness.Get<ParameterFreeLadder>();
        var team = await TeamOfAsync(c);
        await ladder.DecideAsync(_world.Task.Id, team);
        await using (var db = _harness.CreateDbContext())
        {
            var rows = await db.Submissions.OrderBy(s => s.CreatedAtUtc).ThenBy(s => s.Id).Select(s => new { s.Id, s.Status, s.CreatedAtUtc, s.LadderScore, s.LadderMoved, s.PublicScore }).ToListAsync();
            Assert.True(rows.Single(r => r.Id == c).LadderScore is null,
                "C was decided while B was being scored: " + string.Join("; ", rows.Select(r => $"{r.Id} {r.Status} {r.CreatedAtUtc:O} {r.LadderScore} {r.LadderMoved} {r.PublicScore}")));
        }
        Assert.Equal(0.70, await ShownAsync());

        // B's scorer finishes: B is decided first, then C against B, from parallel walks as from one.
        await using (var db = _harness.CreateDbContext())
        {
            await db.Submissions.Where(s => s.Id == b).ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Status, SubmissionStatus.Scored)
                .SetProperty(x => x.ScoringClaim, (Guid?)null)
                .SetProperty(x => x.ScoringLeaseUntilUtc, (DateTime?)null));
        }
        var decided = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => ladder.DecideAsync(_world.Task.Id, team))));
        Assert.InRange(decided.Sum(), 0, 2);  // the sweeper may have walked first
        Assert.Equal(0.90, await ShownAsync());
        await using (var db = _harness.CreateDbContext())
        {
            var cRow = await db.Submissions.SingleAsync(s => s.Id == c);
            Assert.True((await db.Submissions.SingleAsync(s => s.Id == b)).LadderMoved);
            Assert.Equal(0.91, cRow.PublicScore!.Value, 9);
            Assert.False(cRow.LadderMoved);
            Assert.Equal(0.90, cRow.LadderScore);
        }
    }

    [DatabaseFact]
    public async Task Hiding_the_submission_that_set_the_shown_score_takes_the_later_decisions_again()
    {
        var (ada, _) = await _world.TeamAsync("ada");
        await ScoredAsync(ada, Base);
        var improvement = await ScoredAsync(ada, row => row < 180);
        var probe = await ScoredAsync(ada, Probe(new Random(8), 3, 2));
        Assert.Equal(0.90, await ShownAsync());
        var reads = _harness.Get<SubmissionReads>();
        Assert.Equal(0.90, (await reads.GetAsync(probe, CoreHarness.User(ada))).Value!.Submission.PublicScore);

        Assert.True(await _harness.Get<SubmissionAdminService>().SetHiddenAsync(improvement, true, _world.Organizer, "probing"));
        // Without the improvement the probe is noise against the base: the base's 0.70 is shown,
        // on the board and in the team's own reading of the probe.
        Assert.Equal(0.70, await ShownAsync());
        Assert.Equal(0.70, (await reads.GetAsync(probe, CoreHarness.User(ada))).Value!.Submission.PublicScore);

        // Shown again, the improvement counts again.
        Assert.True(await _harness.Get<SubmissionAdminService>().SetHiddenAsync(improvement, false, _world.Organizer));
        Assert.Equal(0.90, await ShownAsync());
        Assert.Equal(0.90, (await reads.GetAsync(probe, CoreHarness.User(ada))).Value!.Submission.PublicScore);
    }

    [DatabaseFact]
    public async Task A_rescore_takes_the_decisions_again_and_the_teams_notice_withholds_the_exact_public_scores()
    {
        var (ada, team) = await _world.TeamAsync("ada");
        var first = await ScoredAsync(ada, Base);
        var second = await ScoredAsync(ada, row => row < 180);
        Assert.Equal(0.90, await ShownAsync());

        // A corrected solution: on the public rows 140 to 178 the truth is what the first
        // submission predicted there, so the first now scores 0.90 and the second 0.70.
        string Corrected(int row) => row is >= 140 and < 180 && row % 2 == 0
            ? CompetitionWorld.Classes[(Array.IndexOf(CompetitionWorld.Classes, CompetitionWorld.Truth(row)) + 1) % CompetitionWorld.Classes.Length]
            : CompetitionWorld.Truth(row);
        var upload = await _harness.Get<Challenge.Core.Tasks.TaskService>().UploadSolutionAsync(_world.Task.Id, CompetitionWorld.Stream(CompetitionWorld.SolutionCsv(Corrected)), "solution.csv", _world.Organizer);
        Assert.True(upload.Accepted);
        Assert.Equal(2, await _harness.Get<SubmissionAdminService>().RescoreAsync(_world.Task.Id, null, _world.Organizer));
        for (var wait = 0; ; wait++)
        {
            await using var db = _harness.CreateDbContext();
            var rows = await db.Submissions.Where(s => s.Id == first || s.Id == second).ToListAsync();
            if (rows.All(s => s.Status == SubmissionStatus.Scored && s.LadderScore != null && s.SolutionVersion == 2))
            {
                Assert.Equal(0.70, rows.Single(s => s.Id == second).PublicScore!.Value, 9);
                break;
            }
            Assert.True(wait < 1200, "The rescore did not finish in 60 s.");
            await Task.Delay(50);
        }

        // In order: the first shows 0.90 now, and the second, worse, leaves it.
        Assert.Equal(0.90, await ShownAsync());
        var reads = _harness.Get<SubmissionReads>();
        Assert.Equal(0.90, (await reads.GetAsync(first, CoreHarness.User(ada))).Value!.Submission.PublicScore);
        Assert.Equal(0.90, (await reads.GetAsync(second, CoreHarness.User(ada))).Value!.Submission.PublicScore);
        await using (var db = _harness.CreateDbContext())
        {
            Assert.False((await db.Submissions.SingleAsync(s => s.Id == second)).LadderMoved);
        }
        var notices = await _harness.Get<Challenge.Core.Rescoring.RescoreChangelog>().NoticesAsync(_world.Competition, team.Id);
        Assert.NotEmpty(notices);
        Assert.All(notices, n => Assert.True(n.PublicWithheld && n.OldPublic is null && n.NewPublic is null));
    }

    [DatabaseFact]
    public async Task Switching_the_rule_on_over_existing_submissions_decides_them_in_order()
    {
        await using (var db = _harness.CreateDbContext())
        {
            await db.Tasks.ExecuteUpdateAsync(t => t.SetProperty(x => x.LadderParameterFree, false));
        }
        var (ada, _) = await _world.TeamAsync("ada");
        foreach (var right in new[] { Base, Probe(new Random(9), 4, 3) })
        {
            var result = await _world.SubmitAsync(ada, CompetitionWorld.SubmissionCsv(right));
            await _world.WaitForScoringAsync(result.Submission!.Id);
        }
        Assert.Equal(0.71, (await ShownAsync())!.Value, 9);

        var tasks = _harness.Get<Challenge.Core.Tasks.TaskService>();
        var input = Challenge.Core.Tasks.TaskInput.From((await tasks.ListAsync(_world.Competition.Id)).Single());
        input.Ladder = Challenge.Core.Tasks.LadderRule.ParameterFree;
        var saved = await tasks.SaveAsync(_world.Competition.Id, _world.Task.Id, input, _world.Organizer);
        Assert.True(saved.Saved is not null, string.Join("; ", saved.Errors.Values));

        // The sweeper takes the decisions the scorers never took (here called at once; the
        // sweep job may have walked first).
        await _harness.Get<ParameterFreeLadder>().DecidePendingAsync();
        await using (var db = _harness.CreateDbContext())
        {
            Assert.Equal([0.70, 0.70], await db.Submissions.OrderBy(s => s.Id).Select(s => s.LadderScore!.Value).ToListAsync());
        }
        Assert.Equal(0.70, await ShownAsync());
    }

    private async Task<int> TeamOfAsync(long submissionId)
    {
        await using var db = _harness.CreateDbContext();
        return await db.Submissions.Where(s => s.Id == submissionId).Select(s => s.TeamId).SingleAsync();
    }
}

public sealed class ParameterFreeLadderTestsOnSqlite() : ParameterFreeLadderTests(Challenge.Core.Data.DatabaseProviders.Sqlite);

public sealed class ParameterFreeLadderTestsOnPostgres() : ParameterFreeLadderTests(Challenge.Core.Data.DatabaseProviders.Postgres), IPostgresTests;
