using System.Security.Claims;
using Challenge.Core.Access;
using Challenge.Core.Accounts;
using Challenge.Core.Audit;
using Challenge.Core.Files;
using Challenge.Core.Outcomes;
using Challenge.Core.Submissions;
using Challenge.Core.Teams;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Challenge.Core.Tests;

// The organizer's panels read through Core queries that count and page in the database and check
// the organizer's right themselves; the access rules are decided in one place.
public abstract class OrganizerDeskTests(string provider) : IAsyncLifetime
{
    private CoreHarness _harness = default!;
    private CompetitionWorld _world = default!;

    public async Task InitializeAsync()
    {
        _harness = await CoreHarness.StartAsync(provider);
        _world = await CompetitionWorld.CreateAsync(_harness);
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    // Written straight to the database: the quota would stop a real team long before 600.
    private async Task AddSubmissionsAsync(Team team, string userId, int count)
    {
        await using var db = _harness.CreateDbContext();
        var file = new StoredFile { StorageKey = $"submissions/{Guid.NewGuid():N}", OriginalName = "p.csv", Sha256 = "00", CreatedAtUtc = DateTime.UtcNow };
        db.StoredFiles.Add(file);
        await db.SaveChangesAsync();
        for (var i = 0; i < count; i++)
        {
            db.Submissions.Add(new Submission
            {
                CompetitionId = _world.Competition.Id, TaskId = _world.Task.Id, TeamId = team.Id, SubmittedById = userId,
                StoredFileId = file.Id, FileName = "p.csv", QuotaDay = "2026-12-01", Status = SubmissionStatus.Scored,
                PublicScore = i / 1000.0, CreatedAtUtc = DateTime.UtcNow.AddMinutes(-count + i),
            });
        }
        await db.SaveChangesAsync();
    }

    [DatabaseFact]
    public async Task The_team_roster_counts_every_submission_and_pages_in_the_database()
    {
        var (ada, busy) = await _world.TeamAsync("ada");
        var (bob, quiet) = await _world.TeamAsync("bob");
        await _world.TeamAsync("cy");
        await AddSubmissionsAsync(busy, ada, 600);
        await AddSubmissionsAsync(quiet, bob, 3);
        var roster = _harness.Get<TeamRoster>();

        var bySubmissions = await roster.ListAsync(_world.Competition, new PageRequest(0, 2, nameof(TeamRosterRow.Submissions), Descending: true), _world.Organizer);
        Assert.True(bySubmissions.IsOk);
        Assert.Equal(3, bySubmissions.Value!.Total);
        Assert.Equal(["Team ada", "Team bob"], bySubmissions.Value.Items.Select(r => r.Name));
        Assert.Equal([600, 3], bySubmissions.Value.Items.Select(r => r.Submissions));
        Assert.All(bySubmissions.Value.Items, r => Assert.Equal(1, r.Members));

        var secondPage = await roster.ListAsync(_world.Competition, new PageRequest(1, 2), _world.Organizer);
        Assert.Equal(["Team cy"], secondPage.Value!.Items.Select(r => r.Name));
    }

    [DatabaseFact]
    public async Task The_submission_ledger_pages_newest_first_with_team_and_task_names()
    {
        var (ada, team) = await _world.TeamAsync("ada");
        await AddSubmissionsAsync(team, ada, 60);

        var first = await _harness.Get<SubmissionLedger>().ListAsync(_world.Competition, new PageRequest(0, 25), _world.Organizer);

        Assert.Equal(60, first.Value!.Total);
        Assert.Equal(25, first.Value.Items.Count);
        Assert.True(first.Value.Items.Zip(first.Value.Items.Skip(1)).All(p => p.First.Id > p.Second.Id));
        Assert.All(first.Value.Items, r => Assert.Equal(("Team ada", "classes"), (r.Team, r.TaskSlug)));
        var last = await _harness.Get<SubmissionLedger>().ListAsync(_world.Competition, new PageRequest(2, 25), _world.Organizer);
        Assert.Equal(10, last.Value!.Items.Count);
    }

    [DatabaseFact]
    public async Task The_ledger_tells_organizers_why_a_file_was_refused()
    {
        var (ada, _) = await _world.TeamAsync("ada");
        var refused = await _world.SubmitAsync(ada, "Id,Category\n0,NotAClass\n");
        await _world.WaitForScoringAsync(refused.Submission!.Id);

        var row = Assert.Single((await _harness.Get<SubmissionLedger>().ListAsync(_world.Competition, new PageRequest(), _world.Organizer)).Value!.Items);

        Assert.Equal(SubmissionStatus.Rejected, row.Status);
        Assert.StartsWith("Line 2, column 2: ", row.RejectionReason);
        Assert.True(row.ErrorCount > 1);
    }

    [DatabaseFact]
    public async Task The_audit_trail_names_who_acted()
    {
        var organizerId = await _world.RegisterAsync("olga");
        var olga = CoreHarness.User(organizerId, Roles.Admin);
        var (ada, team) = await _world.TeamAsync("ada");
        await AddSubmissionsAsync(team, ada, 1);
        await using (var db = _harness.CreateDbContext())
        {
            var id = await db.Submissions.Select(s => s.Id).SingleAsync();
            Assert.True(await _harness.Get<SubmissionAdminService>().SetHiddenAsync(id, true, olga));
        }

        var trail = await _harness.Get<AuditTrail>().ListAsync(_world.Competition, new PageRequest(), _world.Organizer);

        var entry = Assert.Single(trail.Value!.Items, e => e.Action == "submission.hidden");
        Assert.Equal("olga", entry.Who);
    }

    [DatabaseFact]
    public async Task The_organizer_queries_refuse_anyone_who_does_not_manage_the_challenge()
    {
        var (ada, _) = await _world.TeamAsync("ada");
        ClaimsPrincipal[] outsiders = [CoreHarness.User(ada), CoreHarness.Organizer("another-organizer"), CoreHarness.Anonymous];
        foreach (var outsider in outsiders)
        {
            Assert.Equal(OutcomeStatus.Forbidden, (await _harness.Get<TeamRoster>().ListAsync(_world.Competition, new PageRequest(), outsider)).Status);
            Assert.Equal(OutcomeStatus.Forbidden, (await _harness.Get<SubmissionLedger>().ListAsync(_world.Competition, new PageRequest(), outsider)).Status);
            Assert.Equal(OutcomeStatus.Forbidden, (await _harness.Get<AuditTrail>().ListAsync(_world.Competition, new PageRequest(), outsider)).Status);
        }
    }

    [DatabaseFact]
    public async Task Each_access_rule_is_decided_for_each_kind_of_person()
    {
        var authorization = _harness.Get<IAuthorizationService>();
        var challenge = _world.Competition;
        var (ada, adaTeam) = await _world.TeamAsync("ada");
        var (bob, _) = await _world.TeamAsync("bob");
        var coId = await _world.RegisterAsync("cora");
        await using (var scope = _harness.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<AppUser>>();
            await users.AddToRoleAsync((await users.FindByIdAsync(coId))!, Roles.Organizer);
        }
        Assert.Null(await _harness.Get<Challenges.CompetitionService>().AddCoOrganizerAsync(challenge.Id, "cora@example.org", _world.Organizer));
        var coOrganizer = CoreHarness.User(coId, Roles.Organizer);
        var otherOrganizer = CoreHarness.Organizer("someone-else");
        var admin = CoreHarness.User("admin-1", Roles.Admin);
        var stranger = await _world.RegisterAsync("stranger");
        await AddSubmissionsAsync(adaTeam, ada, 1);
        Submission submission;
        await using (var db = _harness.CreateDbContext())
        {
            submission = await db.Submissions.AsNoTracking().SingleAsync();
        }

        async Task<bool> Allows(ClaimsPrincipal user, object resource, AccessRule rule) => await authorization.AllowsAsync(user, resource, rule);

        foreach (var rule in new[] { AccessRules.ManageChallenge, AccessRules.SeeGold, AccessRules.SeePrivateBoard })
        {
            Assert.True(await Allows(_world.Organizer, challenge, rule), $"owner: {rule}");
            Assert.True(await Allows(coOrganizer, challenge, rule), $"co-organizer: {rule}");
            Assert.True(await Allows(admin, challenge, rule), $"admin: {rule}");
            Assert.False(await Allows(otherOrganizer, challenge, rule), $"another challenge's organizer: {rule}");
            Assert.False(await Allows(CoreHarness.User(ada), challenge, rule), $"participant: {rule}");
            Assert.False(await Allows(CoreHarness.Anonymous, challenge, rule), $"anonymous: {rule}");
        }
        Assert.True(await Allows(CoreHarness.User(ada), challenge, AccessRules.DownloadData));
        Assert.False(await Allows(CoreHarness.User(stranger), challenge, AccessRules.DownloadData));
        Assert.False(await Allows(CoreHarness.Anonymous, challenge, AccessRules.DownloadData));
        Assert.True(await Allows(coOrganizer, challenge, AccessRules.DownloadData));

        Assert.True(await Allows(CoreHarness.User(ada), submission, AccessRules.ReadSubmission));
        Assert.False(await Allows(CoreHarness.User(bob), submission, AccessRules.ReadSubmission));
        Assert.True(await Allows(coOrganizer, submission, AccessRules.ReadSubmission));
        Assert.False(await Allows(otherOrganizer, submission, AccessRules.ReadSubmission));

        // Revealed after the end: the private board is everyone's.
        challenge.EndsAtUtc = DateTime.UtcNow.AddMinutes(-1);
        challenge.PrivateRevealedAtUtc = DateTime.UtcNow;
        Assert.True(await Allows(CoreHarness.Anonymous, challenge, AccessRules.SeePrivateBoard));
        // After the end a participant may hold their boxes against the gold; strangers may not.
        Assert.True(await Allows(CoreHarness.User(ada), challenge, AccessRules.SeeGold));
        Assert.False(await Allows(CoreHarness.User(stranger), challenge, AccessRules.SeeGold));
        Assert.False(await Allows(CoreHarness.Anonymous, challenge, AccessRules.SeeGold));
    }
}

public sealed class OrganizerDeskTestsOnSqlite() : OrganizerDeskTests(Challenge.Core.Data.DatabaseProviders.Sqlite);

public sealed class OrganizerDeskTestsOnPostgres() : OrganizerDeskTests(Challenge.Core.Data.DatabaseProviders.Postgres), IPostgresTests;
