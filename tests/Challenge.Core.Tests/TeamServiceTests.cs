using Challenge.Core.Submissions;
using Challenge.Core.Teams;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Tests;

public abstract class TeamServiceTests(string provider) : IAsyncLifetime
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

    [DatabaseFact]
    public async Task Rules_come_first_then_a_team_is_created_and_joined_by_invite_code()
    {
        var ada = await _world.RegisterAsync("ada");
        var bob = await _world.RegisterAsync("bob");

        Assert.Equal("Accept the challenge's rules first.", (await Teams.CreateAsync(_world.Competition.Id, ada, "Abyssal")).Error);
        await Teams.AcceptRulesAsync(_world.Competition.Id, ada);
        var team = (await Teams.CreateAsync(_world.Competition.Id, ada, "Abyssal")).Team!;
        await Teams.AcceptRulesAsync(_world.Competition.Id, bob);
        Assert.True((await Teams.JoinAsync(_world.Competition.Id, bob, team.InviteCode)).Succeeded);

        var membership = await Teams.GetMembershipAsync(_world.Competition.Id, bob);
        Assert.Equal("Abyssal", membership.Team!.Name);
        Assert.Equal(["ada", "bob"], membership.Members.Select(m => m.DisplayName));
        Assert.Equal("You are already in a team of this challenge.", (await Teams.CreateAsync(_world.Competition.Id, bob, "Other")).Error);
    }

    [DatabaseFact]
    public async Task A_full_team_or_a_wrong_code_is_refused()
    {
        await using (var db = _harness.CreateDbContext())
        {
            await db.Competitions.ExecuteUpdateAsync(c => c.SetProperty(x => x.MaxTeamSize, 1));
        }
        var (_, team) = await _world.TeamAsync("ada");
        var bob = await _world.RegisterAsync("bob");
        await Teams.AcceptRulesAsync(_world.Competition.Id, bob);

        Assert.Contains("full", (await Teams.JoinAsync(_world.Competition.Id, bob, team.InviteCode)).Error);
        Assert.Contains("No team", (await Teams.JoinAsync(_world.Competition.Id, bob, "nope")).Error);
    }

    [DatabaseFact]
    public async Task Members_may_leave_until_the_first_submission()
    {
        var (ada, _) = await _world.TeamAsync("ada");
        Assert.True((await Teams.LeaveAsync(_world.Competition.Id, ada)).Succeeded);
        await using (var db = _harness.CreateDbContext())
        {
            Assert.Equal(0, await db.Teams.CountAsync());
        }

        var (bob, _) = await _world.TeamAsync("bob");
        var submitted = await _world.SubmitAsync(bob, CompetitionWorld.SubmissionCsv(_ => true));
        Assert.True(submitted.Accepted);
        Assert.Contains("fixed", (await Teams.LeaveAsync(_world.Competition.Id, bob)).Error);
    }

    [DatabaseFact]
    public async Task Teams_merge_only_when_their_submissions_fit_one_teams_quota()
    {
        var (ada, adaTeam) = await _world.TeamAsync("ada");
        var (bob, bobTeam) = await _world.TeamAsync("bob");
        var csv = CompetitionWorld.SubmissionCsv(_ => true);
        for (var i = 0; i < 5; i++)
        {
            Assert.True((await _world.SubmitAsync(ada, csv)).Accepted);
            Assert.True((await _world.SubmitAsync(bob, csv)).Accepted);
        }

        // The challenge started three days ago with 5 a day: one team could have made 15, the
        // two together made 10, so they may merge, and everything moves to the merged team.
        var merged = await Teams.MergeAsync(_world.Competition.Id, ada, bobTeam.InviteCode);

        Assert.True(merged.Succeeded, merged.Error);
        await using var db = _harness.CreateDbContext();
        Assert.Equal(10, await db.Submissions.CountAsync(s => s.TeamId == adaTeam.Id));
        Assert.Equal(10, (await db.DailyQuotas.SingleAsync(q => q.TeamId == adaTeam.Id)).Used);
        Assert.False(await db.Teams.AnyAsync(t => t.Id == bobTeam.Id));
        Assert.Equal(2, await db.TeamMembers.CountAsync(m => m.TeamId == adaTeam.Id));
        Assert.Equal(SubmitRefusal.QuotaExhausted, (await _world.SubmitAsync(bob, csv)).Refusal);
    }

    [DatabaseFact]
    public async Task Teams_whose_submissions_exceed_one_teams_allowance_cannot_merge()
    {
        await using (var db = _harness.CreateDbContext())
        {
            // Started an hour ago: one team could have made 5 so far.
            await db.Competitions.ExecuteUpdateAsync(c => c.SetProperty(x => x.StartsAtUtc, DateTime.UtcNow.AddHours(-1)));
        }
        var (ada, _) = await _world.TeamAsync("ada");
        var (bob, bobTeam) = await _world.TeamAsync("bob");
        var csv = CompetitionWorld.SubmissionCsv(_ => true);
        for (var i = 0; i < 3; i++)
        {
            await _world.SubmitAsync(ada, csv);
            await _world.SubmitAsync(bob, csv);
        }

        var merged = await Teams.MergeAsync(_world.Competition.Id, ada, bobTeam.InviteCode);

        Assert.Contains("at most 5", merged.Error);
        await using var check = _harness.CreateDbContext();
        Assert.Equal(2, await check.Teams.CountAsync());
    }
}

public sealed class TeamServiceTestsOnSqlite() : TeamServiceTests(Challenge.Core.Data.DatabaseProviders.Sqlite);

public sealed class TeamServiceTestsOnPostgres() : TeamServiceTests(Challenge.Core.Data.DatabaseProviders.Postgres), IPostgresTests;
