using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Challenge.Web.Tests.Browser;

// An organizer announces and opens a thread, one participant replies with markup in it, and another
// participant sees both, escaped; then account basics: a rename shows in the top bar at once, and an
// admin's reset link sets a password once. With CHALLENGE_SCREENSHOT_DIR set, the pages are saved
// there at a desktop and a phone width for a person to look at.
public sealed class ForumBrowserTests(ITestOutputHelper output)
{
    private const string Slug = "eurosat-land-cover";
    private const string Hostile = "Same question. <script>window.pwned = 1</script> <img src=x onerror=\"window.pwned = 2\"> **bold**";

    private static readonly string? ShotDirectory = Environment.GetEnvironmentVariable("CHALLENGE_SCREENSHOT_DIR");

    private static async Task RegisterAsync(IPage page, string name)
    {
        await page.GotoAsync("/account/register");
        await page.FillAsync("#displayName", name);
        await page.FillAsync("#email", $"{name.ToLowerInvariant()}@example.org");
        await page.FillAsync("#password", "correct-horse-1");
        await page.FillAsync("#confirm", "correct-horse-1");
        await page.GetByTestId("register-submit").ClickAsync();
        await Expect(page.GetByTestId("user-name")).ToHaveTextAsync(name);
    }

    private static async Task ShootAsync(IPage page, string name)
    {
        if (ShotDirectory is null)
        {
            return;
        }
        Directory.CreateDirectory(ShotDirectory);
        foreach (var width in new[] { 1280, 390 })
        {
            await page.SetViewportSizeAsync(width, 900);
            await page.WaitForTimeoutAsync(300);
            var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
            Assert.True(overflow <= 0, $"{name} scrolls sideways by {overflow}px at {width}px");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ShotDirectory, $"{name}-{width}.png"), FullPage = true });
        }
        await page.SetViewportSizeAsync(1280, 900);
    }

    [BrowserFact]
    public async Task An_announcement_and_a_reply_reach_another_participant_with_their_markup_escaped()
    {
        await using var session = await BrowserSession.StartAsync(output);
        var organizer = await session.NewPageAsync();
        await RegisterAsync(organizer, "Olga");
        var ada = await session.NewPageAsync();
        await RegisterAsync(ada, "Ada");
        var bob = await session.NewPageAsync();
        await RegisterAsync(bob, "Bob");

        await bob.GotoAsync($"/challenges/{Slug}/discussion");
        await BrowserSession.WaitForInteractivityAsync(bob);
        await Expect(bob.GetByTestId("no-threads")).ToBeVisibleAsync();
        await Expect(bob.GetByTestId("announcement-banner")).ToHaveCountAsync(0);
        await ShootAsync(bob, "discussion-empty");

        // The organizer announces (with markup in the title and text) and opens a thread.
        await organizer.GotoAsync($"/challenges/{Slug}");
        await BrowserSession.WaitForInteractivityAsync(organizer);
        await Expect(organizer.GetByTestId("no-announcements")).ToBeVisibleAsync();
        await ShootAsync(organizer, "overview-organizer-empty");
        await organizer.GetByTestId("post-announcement").ClickAsync();
        await Expect(organizer.Locator(".field-error", new() { HasText = "Give the announcement a title." })).ToBeVisibleAsync();
        await organizer.GetByTestId("announcement-title").FillAsync("Data <b>update</b>");
        await organizer.GetByTestId("announcement-body").FillAsync("Row 12 was fixed. <script>window.pwned = 3</script> <img src=x onerror=\"window.pwned = 4\">");
        await organizer.GetByTestId("post-announcement").ClickAsync();
        await Expect(organizer.GetByText("The announcement is posted")).ToBeVisibleAsync();
        await Expect(organizer.GetByTestId("announcement-heading")).ToHaveTextAsync("Data <b>update</b>");
        await ShootAsync(organizer, "overview-organizer");

        await organizer.GotoAsync($"/challenges/{Slug}/discussion");
        await BrowserSession.WaitForInteractivityAsync(organizer);
        await organizer.GetByTestId("new-thread").ClickAsync();
        await organizer.GetByTestId("thread-title").FillAsync("Questions about the labels");
        await organizer.GetByTestId("thread-body").FillAsync("Ask here; we answer within a day.");
        await organizer.GetByTestId("post-thread").ClickAsync();
        await Expect(organizer.GetByTestId("thread-heading")).ToHaveTextAsync("Questions about the labels");
        var threadPath = new Uri(organizer.Url).AbsolutePath;

        // A participant replies with markup in the text.
        await ada.GotoAsync(threadPath);
        await BrowserSession.WaitForInteractivityAsync(ada);
        await Expect(ada.GetByTestId("organizer-badge")).ToHaveCountAsync(1);
        await ada.GetByTestId("reply-body").FillAsync(Hostile);
        await ada.GetByTestId("post-reply").ClickAsync();
        await Expect(ada.GetByText("Your reply is posted.")).ToBeVisibleAsync();
        await Expect(ada.GetByTestId("post")).ToHaveCountAsync(2);

        // Another participant: the banner on whichever tab comes first, the announcement on the overview, the thread with the reply.
        await bob.GotoAsync($"/challenges/{Slug}/leaderboard");
        await BrowserSession.WaitForInteractivityAsync(bob);
        await Expect(bob.GetByTestId("announcement-banner")).ToContainTextAsync("Data <b>update</b>");
        await ShootAsync(bob, "banner-participant");
        await bob.GotoAsync($"/challenges/{Slug}");
        await BrowserSession.WaitForInteractivityAsync(bob);
        var text = bob.GetByTestId("announcement-text");
        await Expect(text).ToContainTextAsync("Row 12 was fixed. <script>window.pwned = 3</script>");
        Assert.Equal(0, await text.Locator("script, img").CountAsync());
        await Expect(bob.GetByTestId("edit-announcement")).ToHaveCountAsync(0);

        await bob.GotoAsync($"/challenges/{Slug}/discussion");
        await BrowserSession.WaitForInteractivityAsync(bob);
        await Expect(bob.GetByTestId("thread-link")).ToHaveTextAsync("Questions about the labels");
        await Expect(bob.GetByTestId("threads")).ToContainTextAsync("1 reply");
        await ShootAsync(bob, "discussion-list");
        await bob.GetByTestId("thread-link").ClickAsync();
        await Expect(bob.GetByTestId("post")).ToHaveCountAsync(2);
        var posts = bob.GetByTestId("post-text");
        await Expect(posts.Nth(0)).ToContainTextAsync("Ask here");
        await Expect(posts.Nth(1)).ToContainTextAsync("<script>window.pwned = 1</script>");
        await Expect(posts.Nth(1).Locator("strong")).ToHaveTextAsync("bold");
        Assert.Equal(0, await bob.Locator("[data-testid=post-text] script, [data-testid=post-text] img").CountAsync());
        await Expect(bob.GetByTestId("post-author")).ToHaveTextAsync(["Olga", "Ada"]);
        await Expect(bob.GetByTestId("organizer-badge")).ToHaveCountAsync(1);
        await Expect(bob.GetByTestId("hide-post")).ToHaveCountAsync(0);
        await Expect(bob.GetByTestId("edit-post")).ToHaveCountAsync(0);
        await ShootAsync(bob, "thread-participant");
        Assert.Null(await bob.EvaluateAsync<int?>("() => window.pwned ?? null"));

        // Dismissed, the banner stays away on the next visit.
        await bob.GetByTestId("dismiss-announcements").ClickAsync();
        await Expect(bob.GetByTestId("announcement-banner")).ToHaveCountAsync(0);
        await bob.GotoAsync($"/challenges/{Slug}/rules");
        await BrowserSession.WaitForInteractivityAsync(bob);
        await Expect(bob.GetByTestId("tab-discussion")).ToBeVisibleAsync();
        await Expect(bob.GetByTestId("announcement-banner")).ToHaveCountAsync(0);

        // The organizer hides the reply with a reason; the participant sees the reason instead of the text.
        await organizer.GotoAsync(threadPath);
        await BrowserSession.WaitForInteractivityAsync(organizer);
        await organizer.GetByTestId("hide-post").Nth(1).ClickAsync();
        await organizer.Locator(".mud-dialog textarea").First.FillAsync("Off topic");
        await organizer.GetByTestId("reason-confirm").ClickAsync();
        await Expect(organizer.GetByText("The post is hidden.")).ToBeVisibleAsync();
        await ShootAsync(organizer, "thread-organizer");
        await bob.GotoAsync(threadPath);
        await BrowserSession.WaitForInteractivityAsync(bob);
        await Expect(bob.GetByTestId("post-hidden")).ToHaveTextAsync("Hidden by the organizers: Off topic");
        await Expect(bob.GetByTestId("post-text")).ToHaveCountAsync(1);
    }

    [BrowserFact]
    public async Task A_rename_shows_at_once_and_an_admins_reset_link_sets_a_password_once()
    {
        await using var session = await BrowserSession.StartAsync(output);
        var admin = await session.NewPageAsync();
        await RegisterAsync(admin, "Olga");
        var ada = await session.NewPageAsync();
        await RegisterAsync(ada, "Ada");

        await ada.GetByTestId("user-name").ClickAsync();
        await Expect(ada.GetByTestId("display-name")).ToHaveValueAsync("Ada");
        await ShootAsync(ada, "profile");
        await ada.GetByTestId("display-name").FillAsync("Ada Lovelace");
        await ada.GetByTestId("save-name").ClickAsync();
        await Expect(ada.GetByTestId("profile-message")).ToContainTextAsync("Your name is saved");
        await Expect(ada.GetByTestId("user-name")).ToHaveTextAsync("Ada Lovelace");

        await ada.GetByTestId("current-password").FillAsync("wrong-horse-9");
        await ada.GetByTestId("new-password").FillAsync("newer-horse-2");
        await ada.GetByTestId("confirm-password").FillAsync("newer-horse-2");
        await ada.GetByTestId("change-password").ClickAsync();
        await Expect(ada.GetByTestId("error-CurrentPassword")).ToHaveTextAsync("The current password is wrong.");
        await ShootAsync(ada, "profile-error");

        await admin.GotoAsync("/admin");
        await BrowserSession.WaitForInteractivityAsync(admin);
        await admin.Locator("tr", new() { HasText = "ada@example.org" }).GetByTestId("make-reset-link").ClickAsync();
        var link = await admin.GetByTestId("reset-link").InnerTextAsync();
        Assert.Contains("/account/reset-password?user=", link);
        await ShootAsync(admin, "admin-reset-link");

        var stranger = await session.NewPageAsync();
        await stranger.GotoAsync(link);
        await stranger.GetByTestId("new-password").FillAsync("reset-horse-3");
        await stranger.GetByTestId("confirm-password").FillAsync("reset-horse-3");
        await stranger.GetByTestId("reset-submit").ClickAsync();
        await Expect(stranger.GetByTestId("reset-done")).ToBeVisibleAsync();
        await ShootAsync(stranger, "reset-done");

        await stranger.GotoAsync(link);
        await stranger.GetByTestId("new-password").FillAsync("again-horse-4");
        await stranger.GetByTestId("confirm-password").FillAsync("again-horse-4");
        await stranger.GetByTestId("reset-submit").ClickAsync();
        await Expect(stranger.GetByTestId("reset-error")).ToContainTextAsync("not valid any more");
        await ShootAsync(stranger, "reset-used");

        await stranger.GotoAsync("/account/login");
        await stranger.FillAsync("#email", "ada@example.org");
        await stranger.FillAsync("#password", "reset-horse-3");
        await stranger.GetByTestId("login-submit").ClickAsync();
        await Expect(stranger.GetByTestId("user-name")).ToHaveTextAsync("Ada Lovelace");
    }
}
