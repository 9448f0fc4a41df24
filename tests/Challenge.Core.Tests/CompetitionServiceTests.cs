using Challenge.Core.Accounts;
using Challenge.Core.Data;
using Challenge.Core.Challenges;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Challenge.Core.Tests;

public abstract class CompetitionServiceTests(string provider) : IAsyncLifetime
{
    private CoreHarness _harness = default!;

    public async Task InitializeAsync() => _harness = await CoreHarness.StartAsync(provider);

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private CompetitionService Service => _harness.Get<CompetitionService>();

    private static CompetitionInput Valid(string slug = "land-cover-2026", bool published = true) => new()
    {
        Slug = slug,
        Title = "Land cover 2026",
        Subtitle = "Ten classes",
        OverviewMarkdown = "# Hello",
        StartsAtUtc = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc),
        EndsAtUtc = new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc),
        Published = published,
    };

    private async Task<int> CountAsync()
    {
        await using var db = _harness.CreateDbContext();
        return await db.Competitions.CountAsync();
    }

    [DatabaseFact]
    public async Task An_organizer_creates_a_challenge_that_is_stored_and_listed()
    {
        var result = await Service.CreateAsync(Valid(), CoreHarness.Organizer());

        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Values));
        var listed = Assert.Single(await Service.ListPublishedAsync());
        Assert.Equal("land-cover-2026", listed.Slug);
        Assert.Equal("organizer-1", listed.OwnerId);
        Assert.Equal(CompetitionStatus.Published, listed.Status);
    }

    [DatabaseFact]
    public async Task An_empty_title_is_refused_with_a_message_on_the_title_and_nothing_is_stored()
    {
        var input = Valid();
        input.Title = "   ";

        var result = await Service.CreateAsync(input, CoreHarness.Organizer());

        Assert.False(result.Succeeded);
        Assert.Equal("Enter a title.", result.Errors[nameof(CompetitionInput.Title)]);
        Assert.Equal(0, await CountAsync());
    }

    [DatabaseFact]
    public async Task A_duplicate_slug_is_refused_with_a_message_on_the_slug()
    {
        Assert.True((await Service.CreateAsync(Valid(), CoreHarness.Organizer())).Succeeded);
        var again = Valid();
        again.Slug = " Land-Cover-2026 ";

        var result = await Service.CreateAsync(again, CoreHarness.Organizer("organizer-2"));

        Assert.False(result.Succeeded);
        Assert.Contains("already used", result.Errors[nameof(CompetitionInput.Slug)]);
        Assert.Equal(1, await CountAsync());
    }

    [DatabaseFact]
    public async Task An_end_before_the_start_is_refused_with_a_message_on_the_end()
    {
        var input = Valid();
        input.EndsAtUtc = input.StartsAtUtc!.Value.AddDays(-1);

        var result = await Service.CreateAsync(input, CoreHarness.Organizer());

        Assert.Equal("The end must come after the start.", result.Errors[nameof(CompetitionInput.EndsAtUtc)]);
        Assert.Equal(0, await CountAsync());
    }

    [DatabaseTheory]
    [InlineData("ab", "3 to 60 characters")]
    [InlineData("Has Spaces", "lowercase letters")]
    [InlineData("double--hyphen", "lowercase letters")]
    [InlineData("", "Enter a slug")]
    public async Task Malformed_slugs_are_refused(string slug, string expected)
    {
        var result = await Service.CreateAsync(Valid(slug), CoreHarness.Organizer());

        Assert.Contains(expected, result.Errors[nameof(CompetitionInput.Slug)]);
        Assert.Equal(0, await CountAsync());
    }

    [DatabaseFact]
    public async Task A_participant_cannot_create_a_challenge()
    {
        var result = await Service.CreateAsync(Valid(), CoreHarness.User("p", Roles.Participant));

        Assert.False(result.Succeeded);
        Assert.Equal(0, await CountAsync());
    }

    [DatabaseFact]
    public async Task An_organizer_cannot_edit_another_organizers_challenge_but_an_admin_can()
    {
        var created = (await Service.CreateAsync(Valid(), CoreHarness.Organizer("owner"))).Saved!;
        var edit = Valid();
        edit.Title = "Taken over";

        var byStranger = await Service.UpdateAsync(created.Id, edit, CoreHarness.Organizer("stranger"));
        var byAdmin = await Service.UpdateAsync(created.Id, edit, CoreHarness.User("admin", Roles.Admin));

        Assert.False(byStranger.Succeeded);
        Assert.True(byAdmin.Succeeded);
        Assert.Equal("Taken over", (await Service.ListPublishedAsync()).Single().Title);
    }

    [DatabaseFact]
    public async Task A_failed_edit_leaves_the_stored_challenge_unchanged()
    {
        var created = (await Service.CreateAsync(Valid(), CoreHarness.Organizer())).Saved!;
        var edit = Valid();
        edit.Title = "New title";
        edit.EndsAtUtc = edit.StartsAtUtc;

        var result = await Service.UpdateAsync(created.Id, edit, CoreHarness.Organizer());

        Assert.False(result.Succeeded);
        Assert.Equal("Land cover 2026", (await Service.ListPublishedAsync()).Single().Title);
    }

    [DatabaseFact]
    public async Task A_draft_is_hidden_from_the_public_and_from_other_organizers()
    {
        await Service.CreateAsync(Valid(published: false), CoreHarness.Organizer("owner"));

        Assert.Empty(await Service.ListPublishedAsync());
        Assert.Null(await Service.FindVisibleAsync("land-cover-2026", CoreHarness.Anonymous));
        Assert.Null(await Service.FindVisibleAsync("land-cover-2026", CoreHarness.Organizer("stranger")));
        Assert.NotNull(await Service.FindVisibleAsync("land-cover-2026", CoreHarness.Organizer("owner")));
        Assert.Single(await Service.ListManageableAsync(CoreHarness.Organizer("owner")));
        Assert.Empty(await Service.ListManageableAsync(CoreHarness.Organizer("stranger")));
    }

    [DatabaseFact]
    public async Task Creating_editing_and_publishing_are_audited_with_who_and_what_changed()
    {
        var organizer = CoreHarness.Organizer();
        var created = (await Service.CreateAsync(Valid(published: false), organizer)).Saved!;
        var edit = CompetitionInput.From(created);
        edit.DailySubmissionLimit = 2;
        edit.MaxTeamSize = 3;
        edit.RulesMarkdown = "No external data.";
        edit.Published = true;

        Assert.True((await Service.UpdateAsync(created.Id, edit, organizer)).Succeeded);
        // Saving an unchanged form records nothing.
        Assert.True((await Service.UpdateAsync(created.Id, edit, organizer)).Succeeded);

        await using var db = _harness.CreateDbContext();
        // The dates lie in the past, so the deadline's own reveal entries come between: only the organizer's count here.
        var entries = await db.AuditLog.Where(a => a.CompetitionId == created.Id && a.Action.StartsWith("challenge.")).OrderBy(a => a.Id).ToListAsync();
        Assert.Equal(["challenge.created", "challenge.published", "challenge.updated"], entries.Select(e => e.Action));
        Assert.All(entries, e => Assert.Equal("organizer-1", e.ActorId));
        Assert.Equal("daily limit: 5 → 2; team size: 5 → 3; rules page edited", entries[2].Detail);
    }

    [Fact]
    public void The_publish_checklist_names_each_missing_piece()
    {
        var input = Valid();
        var now = new DateTime(2026, 1, 15, 0, 0, 0, DateTimeKind.Utc);
        var task = new Challenge.Core.Tasks.CompetitionTask { Slug = "plankton", Title = "Plankton", Kind = Challenge.Scoring.TaskKind.Probability, Metric = "log_loss" };

        var items = PublishChecklist.Check([task], input, now).ToDictionary(i => i.Key);

        Assert.True(items["tasks"].Done);
        Assert.False(items["solution"].Done);
        Assert.Equal("Missing for Plankton.", items["solution"].Detail);
        Assert.False(items["classes"].Done);
        Assert.True(items["dates"].Done);
        Assert.False(items["rules"].Done);

        task.SolutionFileId = 1;
        task.ClassesJson = "[\"a\",\"b\"]";
        input.RulesMarkdown = "Be kind.";
        Assert.All(PublishChecklist.Check([task], input, now), i => Assert.True(i.Done, i.Label));
        Assert.False(PublishChecklist.Check([task], input, now.AddYears(1)).Single(i => i.Key == "dates").Done);
    }
}

public sealed class CompetitionServiceTestsOnSqlite() : CompetitionServiceTests(DatabaseProviders.Sqlite);

public sealed class CompetitionServiceTestsOnPostgres() : CompetitionServiceTests(DatabaseProviders.Postgres), IPostgresTests;

public sealed class CoOrganizerTests
{
    [Fact]
    public async Task A_co_organizer_gains_management_rights_only_once_added_and_only_with_the_role()
    {
        await using var harness = await CoreHarness.StartAsync();
        var world = await CompetitionWorld.CreateAsync(harness);
        var helperId = await world.RegisterAsync("helen");
        var service = harness.Get<CompetitionService>();
        var helen = CoreHarness.User(helperId, Roles.Organizer);

        Assert.Null(await service.FindManageableAsync(world.Competition.Slug, helen));
        Assert.Contains("not an organizer yet", await service.AddCoOrganizerAsync(world.Competition.Id, "helen@example.org", world.Organizer));

        await using (var scope = harness.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<AppUser>>();
            await users.AddToRoleAsync((await users.FindByIdAsync(helperId))!, Roles.Organizer);
        }
        Assert.Null(await service.AddCoOrganizerAsync(world.Competition.Id, "helen@example.org", world.Organizer));

        Assert.NotNull(await service.FindManageableAsync(world.Competition.Slug, helen));
        Assert.Single(await service.ListManageableAsync(helen));
        Assert.True(await service.RemoveCoOrganizerAsync(world.Competition.Id, helperId, world.Organizer));
        Assert.Null(await service.FindManageableAsync(world.Competition.Slug, helen));
    }
}
