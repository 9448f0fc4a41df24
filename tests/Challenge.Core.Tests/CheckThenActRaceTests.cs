using Challenge.Core.Accounts;
using Challenge.Core.ApiTokens;
using Challenge.Core.Challenges;
using Challenge.Core.Submissions;
using Challenge.Core.Tasks;
using Challenge.Core.Teams;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Challenge.Core.Tests;

// Check-then-act paths (merge, join, final selection) hit by several callers at the same moment,
// each caller on its own thread and database connection as the Team tab's circuits are.
public abstract class CheckThenActRaceTests(string provider) : IAsyncLifetime
{
    private CoreHarness _harness = default!;
    private CompetitionWorld _world = default!;

    public async Task InitializeAsync()
    {
        _harness = await CoreHarness.StartAsync(provider);
        _world = await CompetitionWorld.CreateAsync(_harness);
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private TeamService Teams => _harness.Get<TeamService>();

    // Starts every call at once, each on its own thread, after all are ready.
    private static async Task<T[]> AllAtOnceAsync<T>(IEnumerable<Func<Task<T>>> calls)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = calls.Select(call => Task.Run(async () =>
        {
            await start.Task;
            return await call();
        })).ToList();
        start.SetResult();
        return await Task.WhenAll(running);
    }

    [DatabaseFact]
    public async Task Two_teams_merging_each_other_at_once_lose_no_submission()
    {
        var csv = CompetitionWorld.SubmissionCsv(_ => true);
        for (var round = 0; round < 5; round++)
        {
            var (ada, adaTeam) = await _world.TeamAsync($"ada{round}");
            var (bob, bobTeam) = await _world.TeamAsync($"bob{round}");
            var submitted = new List<long>();
            for (var i = 0; i < 2; i++)
            {
                submitted.Add((await _world.SubmitAsync(ada, csv)).Submission!.Id);
                submitted.Add((await _world.SubmitAsync(bob, csv)).Submission!.Id);
            }

            var results = await AllAtOnceAsync<TeamResult>([
                () => Teams.MergeAsync(_world.Competition.Id, ada, bobTeam.InviteCode),
                () => Teams.MergeAsync(_world.Competition.Id, bob, adaTeam.InviteCode),
            ]);

            Assert.Equal(1, results.Count(r => r.Succeeded));
            var winner = results.Single(r => r.Succeeded).Team!.Id;
            await using var db = _harness.CreateDbContext();
            var stored = await db.Submissions.Where(s => submitted.Contains(s.Id)).ToListAsync();
            Assert.Equal(submitted.Order(), stored.Select(s => s.Id).Order());
            Assert.All(stored, s => Assert.Equal(winner, s.TeamId));
            Assert.Equal(2, await db.TeamMembers.CountAsync(m => m.TeamId == winner));
            Assert.Equal(1, await db.Teams.CountAsync(t => t.Id == adaTeam.Id || t.Id == bobTeam.Id));
            Assert.Equal(4, await db.DailyQuotas.Where(q => q.TeamId == winner).SumAsync(q => q.Used));
        }
        await using var check = _harness.CreateDbContext();
        // No team is left without members and no file without its submission.
        Assert.False(await check.Teams.AnyAsync(t => !t.IsBaseline && !check.TeamMembers.Any(m => m.TeamId == t.Id)));
        Assert.Equal(await check.Submissions.CountAsync(), await check.StoredFiles.CountAsync(f => f.StorageKey.StartsWith("submissions/")));
    }

    [DatabaseFact]
    public async Task Six_people_joining_a_team_with_four_places_left_make_it_full_and_no_fuller()
    {
        var (_, team) = await _world.TeamAsync("ada");
        var joiners = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var userId = await _world.RegisterAsync($"joiner{i}");
            await Teams.AcceptRulesAsync(_world.Competition.Id, userId);
            joiners.Add(userId);
        }

        var results = await AllAtOnceAsync(joiners.Select(userId => (Func<Task<TeamResult>>)(() => Teams.JoinAsync(_world.Competition.Id, userId, team.InviteCode))));

        Assert.Equal(4, results.Count(r => r.Succeeded));
        Assert.All(results.Where(r => !r.Succeeded), r => Assert.Contains("full", r.Error));
        await using var db = _harness.CreateDbContext();
        Assert.Equal(5, await db.TeamMembers.CountAsync(m => m.TeamId == team.Id));
    }

    [DatabaseFact]
    public async Task Five_final_selections_at_once_select_no_more_than_the_limit()
    {
        var (ada, team) = await _world.TeamAsync("ada");
        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            var result = await _world.SubmitAsync(ada, CompetitionWorld.SubmissionCsv(row => row % (i + 2) != 0));
            ids.Add((await _world.WaitForScoringAsync(result.Submission!.Id)).Id);
        }
        var service = _harness.Get<SubmissionService>();

        var refusals = await AllAtOnceAsync(ids.Select(id => (Func<Task<string?>>)(() => service.SetSelectedAsync(id, ada, true))));

        Assert.Equal(2, refusals.Count(r => r is null));
        Assert.All(refusals.Where(r => r is not null), r => Assert.Contains("unselect one first", r));
        await using var db = _harness.CreateDbContext();
        Assert.Equal(2, await db.Submissions.CountAsync(s => s.TeamId == team.Id && s.IsSelected));
    }

    [DatabaseFact]
    public async Task Submissions_made_while_their_team_merges_land_on_the_merged_team_or_are_refused_clearly()
    {
        var csv = CompetitionWorld.SubmissionCsv(_ => true);
        var (ada, adaTeam) = await _world.TeamAsync("ada");
        var (bob, _) = await _world.TeamAsync("bob");
        var bobTeam = (await Teams.GetMembershipAsync(_world.Competition.Id, bob)).Team!;

        var merge = Task.Run(() => Teams.MergeAsync(_world.Competition.Id, ada, bobTeam.InviteCode));
        var submits = await AllAtOnceAsync(Enumerable.Range(0, 4).Select(_ => (Func<Task<SubmitResult>>)(() => _world.SubmitAsync(bob, csv))));

        Assert.True((await merge).Succeeded);
        Assert.All(submits.Where(r => !r.Accepted), r => Assert.Equal(SubmitRefusal.NotInTeam, r.Refusal));
        await using var db = _harness.CreateDbContext();
        var accepted = submits.Where(r => r.Accepted).Select(r => r.Submission!.Id).ToList();
        var stored = await db.Submissions.Where(s => accepted.Contains(s.Id)).ToListAsync();
        Assert.Equal(accepted.Count, stored.Count);
        Assert.All(stored, s => Assert.Equal(adaTeam.Id, s.TeamId));
        Assert.Equal(accepted.Count, await db.DailyQuotas.Where(q => q.TeamId == adaTeam.Id).SumAsync(q => q.Used));
        Assert.Equal(await db.Submissions.CountAsync(), await db.StoredFiles.CountAsync(f => f.StorageKey.StartsWith("submissions/")));
    }

    [DatabaseFact]
    public async Task Parallel_rule_acceptances_and_co_organizer_changes_never_fail_on_a_duplicate()
    {
        var ada = await _world.RegisterAsync("ada");
        await AllAtOnceAsync(Enumerable.Range(0, 4).Select(_ => (Func<Task<bool>>)(async () =>
        {
            await Teams.AcceptRulesAsync(_world.Competition.Id, ada);
            return true;
        })));

        var olga = await _world.RegisterAsync("olga");
        await using (var scope = _harness.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            await users.AddToRoleAsync((await users.FindByIdAsync(olga))!, Roles.Organizer);
        }
        var competitions = _harness.Get<CompetitionService>();
        var added = await AllAtOnceAsync(Enumerable.Range(0, 4).Select(_ => (Func<Task<string?>>)(() =>
            competitions.AddCoOrganizerAsync(_world.Competition.Id, "olga@example.org", _world.Organizer))));
        Assert.Equal(1, added.Count(r => r is null));
        Assert.All(added.Where(r => r is not null), r => Assert.Contains("already organizes", r));

        var removed = await AllAtOnceAsync(Enumerable.Range(0, 4).Select(_ => (Func<Task<bool>>)(() =>
            competitions.RemoveCoOrganizerAsync(_world.Competition.Id, olga, _world.Organizer))));
        Assert.Equal(1, removed.Count(r => r));
        await using var db = _harness.CreateDbContext();
        Assert.Equal(1, await db.Participations.CountAsync(p => p.UserId == ada));
        Assert.False(await db.CompetitionOrganizers.AnyAsync());
    }

    [DatabaseFact]
    public async Task Parallel_token_requests_stop_at_the_limit()
    {
        var ada = await _world.RegisterAsync("ada");
        var tokens = _harness.Get<ApiTokenService>();
        for (var i = 0; i < ApiTokenService.MaxTokensPerUser - 2; i++)
        {
            Assert.NotNull(await tokens.CreateAsync(ada, $"t{i}"));
        }

        var created = await AllAtOnceAsync(Enumerable.Range(0, 6).Select(i => (Func<Task<CreatedToken?>>)(() => tokens.CreateAsync(ada, $"p{i}"))));

        Assert.Equal(2, created.Count(t => t is not null));
        await using var db = _harness.CreateDbContext();
        Assert.Equal(ApiTokenService.MaxTokensPerUser, await db.ApiTokens.CountAsync(t => t.UserId == ada));
    }

    [DatabaseFact]
    public async Task Parallel_solution_uploads_each_get_their_own_version()
    {
        var service = _harness.Get<TaskService>();
        var before = _world.Task.SolutionVersion;

        var uploads = await AllAtOnceAsync(Enumerable.Range(0, 3).Select(_ => (Func<Task<SolutionUploadResult>>)(() =>
            service.UploadSolutionAsync(_world.Task.Id, CompetitionWorld.Stream(CompetitionWorld.SolutionCsv()), "solution.csv", _world.Organizer))));

        Assert.All(uploads, u => Assert.True(u.Accepted));
        await using var db = _harness.CreateDbContext();
        Assert.Equal(before + 3, (await db.Tasks.SingleAsync(t => t.Id == _world.Task.Id)).SolutionVersion);
        Assert.Equal(4, await db.AuditLog.CountAsync(a => a.Action == "solution.uploaded"));
    }

    [DatabaseFact]
    public async Task A_team_disqualified_while_it_merges_is_either_refused_the_merge_or_already_gone()
    {
        var admin = _harness.Get<SubmissionAdminService>();
        for (var round = 0; round < 5; round++)
        {
            var (ada, _) = await _world.TeamAsync($"ada{round}");
            var (_, bobTeam) = await _world.TeamAsync($"bob{round}");

            var merge = Task.Run(() => Teams.MergeAsync(_world.Competition.Id, ada, bobTeam.InviteCode));
            var disqualify = Task.Run(() => admin.DisqualifyAsync(bobTeam.Id, "copied", _world.Organizer));
            var (merged, disqualified) = (await merge, await disqualify);

            // Never both: a disqualification that a merge then swallowed would be lost.
            Assert.False(merged.Succeeded && disqualified, $"round {round}: the merge succeeded and the disqualification too");
            Assert.True(merged.Succeeded || disqualified);
            await using var db = _harness.CreateDbContext();
            if (disqualified)
            {
                Assert.NotNull((await db.Teams.SingleAsync(t => t.Id == bobTeam.Id)).DisqualifiedAtUtc);
            }
        }
    }
}

public sealed class CheckThenActRaceTestsOnSqlite() : CheckThenActRaceTests(Challenge.Core.Data.DatabaseProviders.Sqlite);

public sealed class CheckThenActRaceTestsOnPostgres() : CheckThenActRaceTests(Challenge.Core.Data.DatabaseProviders.Postgres), IPostgresTests;
