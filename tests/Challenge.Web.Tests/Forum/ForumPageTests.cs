using System.Net;
using System.Text.RegularExpressions;
using Challenge.Core.Announcements;
using Challenge.Core.Discussions;

namespace Challenge.Web.Tests.Forum;

// The pages as the server sends them: what reaches a participant of a thread and of the overview,
// and the account pages' forms over the real pipeline (cookies, anti-forgery, redirects).
public sealed partial class ForumPageTests : IAsyncLifetime
{
    private CompetitionSite _site = default!;

    public async Task InitializeAsync() => _site = await CompetitionSite.StartAsync();

    public async Task DisposeAsync() => await _site.DisposeAsync();

    [Fact]
    public async Task A_thread_reaches_readers_with_markup_escaped_and_a_hidden_posts_text_left_out()
    {
        var discussions = _site.Get<DiscussionService>();
        var thread = await discussions.StartThreadAsync(_site.Challenge, "Welcome", "Ask **here**.", _site.Organizer.Principal);
        await discussions.ReplyAsync(_site.Challenge, thread.Value, "<script>window.pwned = 1</script><img src=x onerror=alert(1)>", _site.Ada.Principal);
        var leak = await discussions.ReplyAsync(_site.Challenge, thread.Value, "the labels are at secret-leak.example", _site.Bob.Principal);
        Assert.True((await discussions.SetHiddenAsync(_site.Challenge, leak.Value, true, "Shares the answers", _site.Organizer.Principal)).IsOk);
        await _site.Get<AnnouncementService>().PostAsync(_site.Challenge, new AnnouncementInput("Data <i>fixed</i>", "<script>window.pwned = 2</script>"), _site.Organizer.Principal);

        using var anonymous = _site.Factory.CreateClient();
        var html = await anonymous.GetStringAsync($"/challenges/{CompetitionSite.Slug}/discussion/{thread.Value}");
        Assert.Contains("<strong>here</strong>", html);
        Assert.Contains("&lt;script&gt;window.pwned = 1&lt;/script&gt;", html);
        Assert.DoesNotContain("<script>window.pwned", html);
        Assert.DoesNotContain("<img src=\"x\"", html);
        Assert.DoesNotContain("onerror=alert", html.Replace("&lt;img src=x onerror=alert(1)&gt;", ""));
        Assert.DoesNotContain("secret-leak", html);
        Assert.Contains("Shares the answers", html);
        Assert.Contains("Organizer</span>", html);

        var asOrganizer = await _site.Organizer.Browser.GetStringAsync($"/challenges/{CompetitionSite.Slug}/discussion/{thread.Value}");
        Assert.Contains("secret-leak", asOrganizer);

        var overview = await anonymous.GetStringAsync($"/challenges/{CompetitionSite.Slug}");
        Assert.Contains("Data &lt;i&gt;fixed&lt;/i&gt;", overview);
        Assert.DoesNotContain("<script>window.pwned", overview);
        var list = await anonymous.GetStringAsync($"/challenges/{CompetitionSite.Slug}/discussion");
        Assert.Contains("Welcome", list);
        Assert.Contains("1 reply", list);
    }

    [Fact]
    public async Task A_drafts_discussion_is_not_found_for_participants()
    {
        await _site.Factory.CreateChallengeAsync("hidden-draft", published: false);
        Assert.Equal(HttpStatusCode.NotFound, (await _site.Ada.Browser.GetAsync("/challenges/hidden-draft/discussion")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _site.Ada.Browser.GetAsync("/challenges/hidden-draft/discussion/1")).StatusCode);
    }

    [Fact]
    public async Task A_new_display_name_shows_in_the_top_bar_on_the_next_page()
    {
        Assert.Equal("ada", UserName(await _site.Ada.Browser.GetStringAsync("/")));
        var response = await PostProfileAsync(_site.Ada.Browser, "display-name", new() { ["NameInput.DisplayName"] = "Ada Lovelace" });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("Ada Lovelace", UserName(await _site.Ada.Browser.GetStringAsync("/")));

        var blank = await PostProfileAsync(_site.Ada.Browser, "display-name", new() { ["NameInput.DisplayName"] = " " });
        Assert.Equal(HttpStatusCode.OK, blank.StatusCode);
        Assert.Contains("Enter the name others see.", await blank.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_password_change_keeps_this_session_and_ends_the_others()
    {
        var elsewhere = _site.Factory.CreateBrowserLikeClient();
        await _site.Factory.LogInAsync(elsewhere, _site.Ada.Email, "correct-horse-1");
        Assert.Equal(HttpStatusCode.OK, (await elsewhere.GetAsync("/teams")).StatusCode);

        var wrong = await PostProfileAsync(_site.Ada.Browser, "password", new()
        {
            ["PasswordInput.CurrentPassword"] = "wrong-horse-1", ["PasswordInput.NewPassword"] = "newer-horse-2", ["PasswordInput.ConfirmPassword"] = "newer-horse-2",
        });
        Assert.Contains("The current password is wrong.", await wrong.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await elsewhere.GetAsync("/teams")).StatusCode);

        var changed = await PostProfileAsync(_site.Ada.Browser, "password", new()
        {
            ["PasswordInput.CurrentPassword"] = "correct-horse-1", ["PasswordInput.NewPassword"] = "newer-horse-2", ["PasswordInput.ConfirmPassword"] = "newer-horse-2",
        });
        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _site.Ada.Browser.GetAsync("/teams")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await elsewhere.GetAsync("/teams")).StatusCode);
    }

    [Fact]
    public async Task A_reset_link_from_the_admin_sets_a_password_once()
    {
        var token = await _site.Get<Challenge.Core.Accounts.AccountDirectory>().CreatePasswordResetTokenAsync(_site.Ada.UserId, _site.Organizer.Principal);
        var link = new Uri(Challenge.Web.Account.PasswordResetLink.Build("http://localhost/", _site.Ada.UserId, token.Value!)).PathAndQuery;
        var stranger = _site.Factory.CreateBrowserLikeClient();

        var first = await PostFormAsync(stranger, link, "reset-password", new() { ["Input.NewPassword"] = "reset-horse-3", ["Input.ConfirmPassword"] = "reset-horse-3" });
        Assert.Contains("Your new password is set.", await first.Content.ReadAsStringAsync());
        var second = await PostFormAsync(stranger, link, "reset-password", new() { ["Input.NewPassword"] = "again-horse-4", ["Input.ConfirmPassword"] = "again-horse-4" });
        Assert.Contains("not valid any more", WebUtility.HtmlDecode(await second.Content.ReadAsStringAsync()));

        Assert.Equal(HttpStatusCode.Redirect, (await _site.Factory.LogInAsync(stranger, _site.Ada.Email, "reset-horse-3")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await stranger.GetAsync("/teams")).StatusCode);
        // A token mangled in copying is refused before any form is shown.
        Assert.Contains("data-testid=\"reset-error\"", await stranger.GetStringAsync($"/account/reset-password?user={_site.Ada.UserId}&token=%21%21"));
    }

    private static string UserName(string html) => WebUtility.HtmlDecode(UserNameLink().Match(html).Groups["name"].Value);

    private static Task<HttpResponseMessage> PostProfileAsync(HttpClient client, string formName, Dictionary<string, string> fields) =>
        PostFormAsync(client, "/account/profile", formName, fields);

    // The profile page holds two forms: only the named one's hidden fields go back, as a browser sends them.
    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string path, string formName, Dictionary<string, string> fields)
    {
        var html = await client.GetStringAsync(path);
        var token = AntiforgeryField().Match(html).Groups["value"].Value;
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(token);
        fields["_handler"] = formName;
        return await client.PostAsync(path, new FormUrlEncodedContent(fields));
    }

    [GeneratedRegex("data-testid=\"user-name\">(?<name>[^<]*)<")]
    private static partial Regex UserNameLink();

    [GeneratedRegex("<input type=\"hidden\" name=\"__RequestVerificationToken\" value=\"(?<value>[^\"]*)\"")]
    private static partial Regex AntiforgeryField();
}
