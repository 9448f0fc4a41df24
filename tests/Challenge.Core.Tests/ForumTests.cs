using System.Security.Claims;
using Challenge.Core.Accounts;
using Challenge.Core.Announcements;
using Challenge.Core.Challenges;
using Challenge.Core.Discussions;
using Challenge.Core.Markdown;
using Challenge.Core.Outcomes;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Challenge.Core.Tests;

// Announcements and the discussion of a challenge: who reads, who writes, what each person sees
// as new, what hiding does, and that every organizer action lands in the audit log.
public abstract class ForumTests(string provider) : IAsyncLifetime
{
    private CoreHarness _harness = default!;
    private CompetitionWorld _world = default!;
    private ClaimsPrincipal _ada = default!;
    private ClaimsPrincipal _bob = default!;

    private AnnouncementService Announcements => _harness.Get<AnnouncementService>();
    private DiscussionService Discussions => _harness.Get<DiscussionService>();

    public async Task InitializeAsync()
    {
        _harness = await CoreHarness.StartAsync(provider);
        _world = await CompetitionWorld.CreateAsync(_harness);
        // The world's organizer is a principal only; posts name their author, so it needs an account.
        await using (var scope = _harness.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            Assert.True((await users.CreateAsync(new AppUser { Id = "organizer", UserName = "org@example.org", Email = "org@example.org", DisplayName = "Olga" })).Succeeded);
        }
        _ada = CoreHarness.User(await _world.RegisterAsync("ada"), Roles.Participant);
        _bob = CoreHarness.User(await _world.RegisterAsync("bob"), Roles.Participant);
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private async Task<List<string>> AuditActionsAsync()
    {
        await using var db = _harness.CreateDbContext();
        return await db.AuditLog.Where(a => a.CompetitionId == _world.Competition.Id && (a.Action.StartsWith("announcement.") || a.Action.StartsWith("post.")))
            .OrderBy(a => a.Id).Select(a => a.Action).ToListAsync();
    }

    private async Task<Competition> DraftAsync()
    {
        await using var db = _harness.CreateDbContext();
        await db.Competitions.Where(c => c.Id == _world.Competition.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CompetitionStatus.Draft));
        return await db.Competitions.AsNoTracking().SingleAsync(c => c.Id == _world.Competition.Id);
    }

    [DatabaseFact]
    public async Task A_participant_sees_each_new_announcement_until_dismissing_it_and_every_change_is_audited()
    {
        var first = await Announcements.PostAsync(_world.Competition, new AnnouncementInput("Data fixed", "The **labels** of row 12 were wrong."), _world.Organizer);
        Assert.True(first.IsOk, first.Message);
        Assert.Equal("Olga", first.Value!.Author);

        var unseen = await Announcements.UnseenAsync(_world.Competition, _ada);
        Assert.Equal(["Data fixed"], unseen.Select(a => a.Title));
        Assert.Empty(await Announcements.UnseenAsync(_world.Competition, _world.Organizer));
        Assert.Empty(await Announcements.UnseenAsync(_world.Competition, CoreHarness.Anonymous));

        await Announcements.MarkSeenAsync(_world.Competition, _ada, unseen.Max(a => a.Id));
        Assert.Empty(await Announcements.UnseenAsync(_world.Competition, _ada));
        Assert.Single(await Announcements.UnseenAsync(_world.Competition, _bob));

        var second = await Announcements.PostAsync(_world.Competition, new AnnouncementInput("Deadline moved", "One more week."), _world.Organizer);
        Assert.Equal(["Deadline moved"], (await Announcements.UnseenAsync(_world.Competition, _ada)).Select(a => a.Title));
        // A stale tab dismissing the older one does not bring the mark back.
        await Announcements.MarkSeenAsync(_world.Competition, _ada, second.Value!.Id);
        await Announcements.MarkSeenAsync(_world.Competition, _ada, first.Value.Id);
        Assert.Empty(await Announcements.UnseenAsync(_world.Competition, _ada));

        var edited = await Announcements.EditAsync(_world.Competition, first.Value.Id, new AnnouncementInput("Data fixed (v2)", "Rows 12 and 13."), _world.Organizer);
        Assert.True(edited.IsOk);
        Assert.NotNull(edited.Value!.EditedAtUtc);
        Assert.Equal(["Deadline moved", "Data fixed (v2)"], (await Announcements.ListAsync(_world.Competition, _bob)).Value!.Select(a => a.Title));

        Assert.True((await Announcements.DeleteAsync(_world.Competition, second.Value.Id, _world.Organizer)).IsOk);
        Assert.Equal(["Data fixed (v2)"], (await Announcements.ListAsync(_world.Competition, CoreHarness.Anonymous)).Value!.Select(a => a.Title));
        Assert.Equal(["announcement.posted", "announcement.posted", "announcement.edited", "announcement.deleted"], await AuditActionsAsync());
    }

    [DatabaseFact]
    public async Task Only_the_managers_write_announcements_and_a_drafts_are_theirs_alone()
    {
        var refused = await Announcements.PostAsync(_world.Competition, new AnnouncementInput("Hi", "from ada"), _ada);
        Assert.Equal(OutcomeStatus.Forbidden, refused.Status);
        var posted = await Announcements.PostAsync(_world.Competition, new AnnouncementInput("Real", ""), _world.Organizer);
        Assert.Equal(OutcomeStatus.Forbidden, (await Announcements.EditAsync(_world.Competition, posted.Value!.Id, new AnnouncementInput("Mine now", ""), _ada)).Status);
        Assert.Equal(OutcomeStatus.Forbidden, (await Announcements.DeleteAsync(_world.Competition, posted.Value.Id, _ada)).Status);
        var invalid = await Announcements.PostAsync(_world.Competition, new AnnouncementInput("  ", "text"), _world.Organizer);
        Assert.Equal(OutcomeStatus.Invalid, invalid.Status);
        Assert.Contains(nameof(AnnouncementInput.Title), invalid.Errors.Keys);
        Assert.Equal(["Real"], (await Announcements.ListAsync(_world.Competition, _ada)).Value!.Select(a => a.Title));

        var draft = await DraftAsync();
        Assert.Equal(OutcomeStatus.Forbidden, (await Announcements.ListAsync(draft, _ada)).Status);
        Assert.Empty(await Announcements.UnseenAsync(draft, _ada));
        Assert.True((await Announcements.ListAsync(draft, _world.Organizer)).IsOk);
    }

    [DatabaseFact]
    public async Task Organizer_posts_are_marked_authors_edit_only_their_own_and_threads_follow_their_latest_post()
    {
        var older = await Discussions.StartThreadAsync(_world.Competition, "Is row 7 mislabeled?", "Looks like a river to me.", _ada);
        Assert.True(older.IsOk, older.Message);
        var newer = await Discussions.StartThreadAsync(_world.Competition, "Team up?", "Anyone?", _bob);
        var reply = await Discussions.ReplyAsync(_world.Competition, older.Value, "Yes, fixed in the data.", _world.Organizer);
        Assert.True(reply.IsOk);

        var threads = (await Discussions.ListThreadsAsync(_world.Competition, 0, CoreHarness.Anonymous)).Value!;
        Assert.Equal(2, threads.Total);
        Assert.Equal(["Is row 7 mislabeled?", "Team up?"], threads.Items.Select(t => t.Title));
        Assert.Equal([1, 0], threads.Items.Select(t => t.Replies));
        Assert.Equal(newer.Value, threads.Items[1].Id);

        var page = (await Discussions.GetThreadAsync(_world.Competition, older.Value, 0, _bob)).Value!;
        Assert.Equal([false, true], page.Posts.Items.Select(p => p.ByOrganizer));
        Assert.Equal(["ada", "Olga"], page.Posts.Items.Select(p => p.Author));
        Assert.True(page.CanPost);
        Assert.False(page.CanModerate);

        var opening = page.Posts.Items[0].Id;
        Assert.Equal(OutcomeStatus.Forbidden, (await Discussions.EditPostAsync(_world.Competition, opening, "bob was here", _bob)).Status);
        Assert.Equal(OutcomeStatus.Forbidden, (await Discussions.EditPostAsync(_world.Competition, opening, "organizers too", _world.Organizer)).Status);
        Assert.True((await Discussions.EditPostAsync(_world.Competition, opening, "Looks like a river. (edited)", _ada)).IsOk);
        var after = (await Discussions.GetThreadAsync(_world.Competition, older.Value, 0, _bob)).Value!.Posts.Items[0];
        Assert.Equal("Looks like a river. (edited)", after.BodyMarkdown);
        Assert.NotNull(after.EditedAtUtc);

        Assert.Equal(OutcomeStatus.Forbidden, (await Discussions.ReplyAsync(_world.Competition, older.Value, "drive-by", CoreHarness.Anonymous)).Status);
        Assert.Equal(OutcomeStatus.Invalid, (await Discussions.ReplyAsync(_world.Competition, older.Value, "   ", _bob)).Status);
        Assert.Equal(OutcomeStatus.NotFound, (await Discussions.ReplyAsync(_world.Competition, 999_999, "lost", _bob)).Status);
        Assert.Equal(2, (await Discussions.GetThreadAsync(_world.Competition, older.Value, 0, _bob)).Value!.Posts.Total);
    }

    [DatabaseFact]
    public async Task A_hidden_post_keeps_its_text_for_the_managers_and_shows_the_reason_to_everyone_else()
    {
        var thread = await Discussions.StartThreadAsync(_world.Competition, "Leak", "The labels are at http://example.org/answers.csv", _ada);
        var postId = (await Discussions.GetThreadAsync(_world.Competition, thread.Value, 0, _ada)).Value!.Posts.Items[0].Id;

        Assert.Equal(OutcomeStatus.Forbidden, (await Discussions.SetHiddenAsync(_world.Competition, postId, true, "spam", _bob)).Status);
        var noReason = await Discussions.SetHiddenAsync(_world.Competition, postId, true, " ", _world.Organizer);
        Assert.Equal(OutcomeStatus.Invalid, noReason.Status);
        Assert.Contains("Reason", noReason.Errors.Keys);
        Assert.True((await Discussions.SetHiddenAsync(_world.Competition, postId, true, "Shares the hidden labels", _world.Organizer)).IsOk);

        var asBob = (await Discussions.GetThreadAsync(_world.Competition, thread.Value, 0, _bob)).Value!.Posts.Items[0];
        Assert.True(asBob.Hidden);
        Assert.Equal("", asBob.BodyMarkdown);
        Assert.Equal("Shares the hidden labels", asBob.HiddenReason);
        var asOrganizer = (await Discussions.GetThreadAsync(_world.Competition, thread.Value, 0, _world.Organizer)).Value!;
        Assert.True(asOrganizer.CanModerate);
        Assert.Contains("answers.csv", asOrganizer.Posts.Items[0].BodyMarkdown);

        Assert.True((await Discussions.SetHiddenAsync(_world.Competition, postId, false, null, _world.Organizer)).IsOk);
        Assert.False((await Discussions.GetThreadAsync(_world.Competition, thread.Value, 0, _bob)).Value!.Posts.Items[0].Hidden);
        Assert.Equal(["post.hidden", "post.shown"], await AuditActionsAsync());
        await using var db = _harness.CreateDbContext();
        var entry = await db.AuditLog.SingleAsync(a => a.Action == "post.hidden");
        Assert.Equal("organizer", entry.ActorId);
        Assert.Contains("Shares the hidden labels", entry.Detail);
    }

    [DatabaseFact]
    public async Task A_drafts_discussion_is_for_its_managers_only()
    {
        var draft = await DraftAsync();
        Assert.Equal(OutcomeStatus.NotFound, (await Discussions.ListThreadsAsync(draft, 0, _ada)).Status);
        Assert.Equal(OutcomeStatus.NotFound, (await Discussions.StartThreadAsync(draft, "Early", "bird", _ada)).Status);
        var internalThread = await Discussions.StartThreadAsync(draft, "Check the data", "before we publish", _world.Organizer);
        Assert.True(internalThread.IsOk);
        Assert.Equal(OutcomeStatus.NotFound, (await Discussions.GetThreadAsync(draft, internalThread.Value, 0, _ada)).Status);
        Assert.Equal(OutcomeStatus.NotFound, (await Discussions.ReplyAsync(draft, internalThread.Value, "peek", _ada)).Status);
        Assert.Equal(1, (await Discussions.ListThreadsAsync(draft, 0, _world.Organizer)).Value!.Total);
    }

    [DatabaseFact]
    public async Task Long_threads_are_paged_in_the_database()
    {
        var thread = await Discussions.StartThreadAsync(_world.Competition, "Long", "post 0", _ada);
        for (var i = 1; i < 45; i++)
        {
            Assert.True((await Discussions.ReplyAsync(_world.Competition, thread.Value, $"post {i}", i % 2 == 0 ? _ada : _bob)).IsOk);
        }
        var first = (await Discussions.GetThreadAsync(_world.Competition, thread.Value, 0, _bob)).Value!;
        var second = (await Discussions.GetThreadAsync(_world.Competition, thread.Value, 1, _bob)).Value!;
        Assert.Equal(45, first.Posts.Total);
        Assert.Equal(DiscussionRules.PostsPerPage, first.Posts.Items.Count);
        Assert.Equal(45 - DiscussionRules.PostsPerPage, second.Posts.Items.Count);
        Assert.Equal("post 44", second.Posts.Items[^1].BodyMarkdown);
        Assert.True(first.Posts.Items[0].IsOpening);
        Assert.DoesNotContain(second.Posts.Items, p => p.IsOpening);
        Assert.Equal(44, (await Discussions.ListThreadsAsync(_world.Competition, 0, _bob)).Value!.Items[0].Replies);
    }

    [DatabaseFact]
    public async Task Markup_in_posts_and_announcements_is_escaped_when_rendered()
    {
        const string hostile = "<script>alert('x')</script>\n\n<img src=x onerror=alert(1)>\n\n[click](javascript:alert(2))";
        var thread = await Discussions.StartThreadAsync(_world.Competition, "<b>bold</b>", hostile, _ada);
        var announcement = await Announcements.PostAsync(_world.Competition, new AnnouncementInput("Hi", hostile), _world.Organizer);
        var renderer = _harness.Get<MarkdownRenderer>();
        var stored = (await Discussions.GetThreadAsync(_world.Competition, thread.Value, 0, _bob)).Value!;
        foreach (var html in new[] { renderer.ToSafeHtml(stored.Posts.Items[0].BodyMarkdown), renderer.ToSafeHtml(announcement.Value!.BodyMarkdown) })
        {
            Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("javascript:", html, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("&lt;script&gt;", html);
        }
        // Titles are plain text: the page writes them through Razor, which encodes them.
        Assert.Equal("<b>bold</b>", stored.Thread.Title);
    }
}

public sealed class ForumTestsOnSqlite() : ForumTests(Challenge.Core.Data.DatabaseProviders.Sqlite);

public sealed class ForumTestsOnPostgres() : ForumTests(Challenge.Core.Data.DatabaseProviders.Postgres), IPostgresTests;
