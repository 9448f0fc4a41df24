using Challenge.Core.Challenges;
using Challenge.Core.Teams;

namespace Challenge.Core.Tests;

// "My teams" lists each team of the signed-in person with its rank and today's quota on every task.
public abstract class MyTeamsTests(string provider) : IAsyncLifetime
{
    private CoreHarness _harness = default!;
    private CompetitionWorld _world = default!;

    public async Task InitializeAsync()
    {
        _harness = await CoreHarness.StartAsync(provider);
        _world = await CompetitionWorld.CreateAsync(_harness, dailyLimit: 5);
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [DatabaseFact]
    public async Task A_member_sees_the_team_its_members_its_rank_and_the_quota_left_today()
    {
        var (ada, _) = await _world.TeamAsync("ada");
        var (bob, _) = await _world.TeamAsync("bob");
        var stranger = await _world.RegisterAsync("cy");
        var best = await _world.SubmitAsync(ada, CompetitionWorld.SubmissionCsv(_ => true));
        var worse = await _world.SubmitAsync(bob, CompetitionWorld.SubmissionCsv(row => row % 2 == 0));
        await _world.WaitForScoringAsync(best.Submission!.Id);
        await _world.WaitForScoringAsync(worse.Submission!.Id);
        var teams = _harness.Get<MyTeams>();

        var bobs = Assert.Single(await teams.ListAsync(CoreHarness.User(bob)));

        Assert.Equal(("land-cover", "Team bob", CompetitionPhase.Running), (bobs.ChallengeSlug, bobs.Team, bobs.Phase));
        Assert.Equal(["bob"], bobs.Members);
        Assert.Null(bobs.DisqualificationReason);
        var standing = Assert.Single(bobs.Tasks);
        Assert.Equal((2, 2), (standing.Rank, standing.RankedTeams));
        Assert.Equal((5, 4), (standing.Quota.Limit, standing.Quota.Left));
        Assert.Equal(1, Assert.Single(Assert.Single(await teams.ListAsync(CoreHarness.User(ada))).Tasks).Rank);
        Assert.Empty(await teams.ListAsync(CoreHarness.User(stranger)));
        Assert.Empty(await teams.ListAsync(CoreHarness.Anonymous));
    }
}

public sealed class MyTeamsTestsOnSqlite() : MyTeamsTests(Challenge.Core.Data.DatabaseProviders.Sqlite);

public sealed class MyTeamsTestsOnPostgres() : MyTeamsTests(Challenge.Core.Data.DatabaseProviders.Postgres), IPostgresTests;
