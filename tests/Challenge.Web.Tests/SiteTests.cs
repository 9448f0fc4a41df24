using System.Net;

namespace Challenge.Web.Tests;

public sealed class SiteTests : IClassFixture<SiteTests.SharedSite>
{
    public sealed class SharedSite : IAsyncLifetime
    {
        public ChallengeWebFactory Factory { get; } = new(seedDemo: true);

        public Task InitializeAsync() => Task.CompletedTask;

        public async Task DisposeAsync() => await Factory.DisposeAsync();
    }

    private readonly ChallengeWebFactory _factory;

    public SiteTests(SharedSite site) => _factory = site.Factory;

    [Fact]
    public async Task The_home_page_lists_the_seeded_demo_challenge()
    {
        var response = await _factory.CreateClient().GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("EuroSAT land cover from few labels", html);
        Assert.Contains("href=\"/challenges/eurosat-land-cover\"", html);
    }

    [Fact]
    public async Task The_blazor_client_script_is_served()
    {
        var response = await _factory.CreateClient().GetAsync("/_framework/blazor.web.js");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Content.Headers.ContentLength > 50_000);
        Assert.Contains("Blazor", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_client_script_answers_304_to_a_matching_etag()
    {
        var client = _factory.CreateClient();
        var first = await client.GetAsync("/_framework/blazor.web.js");
        using var again = new HttpRequestMessage(HttpMethod.Get, "/_framework/blazor.web.js");
        again.Headers.IfNoneMatch.Add(first.Headers.ETag!);

        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(again)).StatusCode);
    }

    [Fact]
    public async Task Health_reports_the_database_reachable()
    {
        var response = await _factory.CreateClient().GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    // Without a declared icon, every browser asks for /favicon.ico and logs the 404 as an error.
    [Fact]
    public async Task Pages_declare_an_icon_that_is_served()
    {
        var client = _factory.CreateClient();
        var html = await client.GetStringAsync("/");
        Assert.Contains("<link rel=\"icon\" type=\"image/svg+xml\" href=\"favicon.svg\"", html);

        var icon = await client.GetAsync("/favicon.svg");
        Assert.Equal(HttpStatusCode.OK, icon.StatusCode);
        Assert.Equal("image/svg+xml", icon.Content.Headers.ContentType?.MediaType);
    }

    // The page names its scripts and styles by fingerprinted address (MapStaticAssets); each must be served.
    [Fact]
    public async Task The_pages_scripts_and_styles_are_served_from_their_fingerprinted_addresses()
    {
        var client = _factory.CreateClient();
        var html = await client.GetStringAsync("/");
        var assets = System.Text.RegularExpressions.Regex.Matches(html, "(?:src|href)=\"(_framework/[^\"]+|_content/MudBlazor/[^\"]+)\"")
            .Select(m => m.Groups[1].Value).ToList();

        Assert.Contains(assets, a => a.StartsWith("_framework/blazor.web.", StringComparison.Ordinal) && a.EndsWith(".js", StringComparison.Ordinal));
        Assert.Contains(assets, a => a.StartsWith("_content/MudBlazor/MudBlazor.min.", StringComparison.Ordinal) && a.EndsWith(".css", StringComparison.Ordinal));
        Assert.Contains(assets, a => a.StartsWith("_content/MudBlazor/MudBlazor.min.", StringComparison.Ordinal) && a.EndsWith(".js", StringComparison.Ordinal));
        foreach (var asset in assets)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/" + asset)).StatusCode);
        }
    }

    [Fact]
    public async Task A_published_challenge_shows_its_overview_with_html_escaped()
    {
        await _factory.CreateChallengeAsync("escaped-overview", "Intro <script>alert('x')</script> **bold**");

        var html = await _factory.CreateClient().GetStringAsync("/challenges/escaped-overview");

        Assert.Contains("<strong>bold</strong>", html);
        Assert.Contains("&lt;script&gt;", html);
        Assert.DoesNotContain("<script>alert", html);
    }

    [Fact]
    public async Task An_unknown_challenge_answers_404()
    {
        var response = await _factory.CreateClient().GetAsync("/challenges/no-such-thing");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Page not found", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_unknown_address_answers_404_with_a_page()
    {
        var response = await _factory.CreateClient().GetAsync("/no/such/page");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Page not found", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_draft_is_not_shown_to_anonymous_visitors()
    {
        await _factory.CreateChallengeAsync("secret-draft", published: false);
        var client = _factory.CreateClient();

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/challenges/secret-draft")).StatusCode);
        Assert.DoesNotContain("secret-draft", await client.GetStringAsync("/challenges"));
    }

    [Theory]
    [InlineData("/organize")]
    [InlineData("/challenges/new")]
    [InlineData("/challenges/eurosat-land-cover/edit")]
    [InlineData("/admin")]
    [InlineData("/teams")]
    public async Task Protected_pages_send_anonymous_visitors_to_the_login_page(string path)
    {
        var response = await _factory.CreateBrowserLikeClient().GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login", response.Headers.Location!.PathAndQuery);
        Assert.Contains(Uri.EscapeDataString(path), response.Headers.Location!.Query);
    }

    [Fact]
    public async Task Logging_out_without_an_antiforgery_token_is_refused()
    {
        var response = await _factory.CreateBrowserLikeClient().PostAsync("/account/logout",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["returnUrl"] = "/" }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task A_login_post_with_a_forged_antiforgery_token_is_refused()
    {
        var client = _factory.CreateBrowserLikeClient();
        var form = await ChallengeWebFactory.FormFieldsAsync(client, "/account/login");
        form["__RequestVerificationToken"] = "forged";
        form["Input.Email"] = "someone@example.org";
        form["Input.Password"] = "whatever-123";

        var response = await client.PostAsync("/account/login", new FormUrlEncodedContent(form));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task A_wrong_password_shows_a_message_and_sets_no_cookie()
    {
        var client = _factory.CreateBrowserLikeClient();
        await _factory.RegisterAsync(_factory.CreateBrowserLikeClient(), "wrong-password@example.org");

        var response = await _factory.LogInAsync(client, "wrong-password@example.org", "not-the-password-1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("The email or the password is wrong, or there were too many attempts", await response.Content.ReadAsStringAsync());
        Assert.DoesNotContain(response.Headers, h => h.Key == "Set-Cookie" && h.Value.Any(v => v.StartsWith("challenge.auth")));
    }

    [Fact]
    public async Task A_login_never_redirects_to_another_site()
    {
        var client = _factory.CreateBrowserLikeClient();
        await _factory.RegisterAsync(_factory.CreateBrowserLikeClient(), "redirect@example.org");

        var response = await _factory.LogInAsync(client, "redirect@example.org", "correct-horse-1", "https://evil.example/steal");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var target = new Uri(new Uri("http://localhost/"), response.Headers.Location!);
        Assert.Equal("localhost", target.Host);
        Assert.Equal("/", target.AbsolutePath);
    }

    [Fact]
    public async Task Registration_errors_are_shown_and_nothing_is_stored()
    {
        var client = _factory.CreateBrowserLikeClient();
        var form = await ChallengeWebFactory.FormFieldsAsync(client, "/account/register");
        form["Input.DisplayName"] = "Mismatch";
        form["Input.Email"] = "mismatch@example.org";
        form["Input.Password"] = "correct-horse-1";
        form["Input.ConfirmPassword"] = "correct-horse-2";

        var response = await client.PostAsync("/account/register", new FormUrlEncodedContent(form));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("The two passwords differ.", await response.Content.ReadAsStringAsync());
        var login = await _factory.LogInAsync(_factory.CreateBrowserLikeClient(), "mismatch@example.org", "correct-horse-1");
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
    }
}
