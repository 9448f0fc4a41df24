using System.Net;

namespace Challenge.Web.Tests;

// Each test owns a fresh database: "first account" rules depend on an empty one.
public sealed class AccountFlowTests
{
    [Fact]
    public async Task The_first_account_is_admin_and_the_second_is_not()
    {
        await using var factory = new ChallengeWebFactory();
        var first = factory.CreateBrowserLikeClient();
        var second = factory.CreateBrowserLikeClient();

        Assert.Equal(HttpStatusCode.Redirect, (await factory.RegisterAsync(first, "ada@example.org")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await factory.RegisterAsync(second, "bob@example.org")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/admin")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/challenges/new")).StatusCode);
        var denied = await second.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.StartsWith("/account/access-denied", denied.Headers.Location!.PathAndQuery);
        Assert.Equal(HttpStatusCode.Redirect, (await second.GetAsync("/challenges/new")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/teams")).StatusCode);
    }

    [Fact]
    public async Task Logging_out_ends_the_session()
    {
        await using var factory = new ChallengeWebFactory();
        var client = factory.CreateBrowserLikeClient();
        await factory.RegisterAsync(client, "ada@example.org");
        var form = await ChallengeWebFactory.FormFieldsAsync(client, "/");

        var logout = await client.PostAsync("/account/logout", new FormUrlEncodedContent(form));

        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/admin")).StatusCode);
    }

    [Fact]
    public async Task A_restart_keeps_every_account_and_challenge()
    {
        var directory = ChallengeWebFactory.NewDataDirectory();
        await using (var before = new ChallengeWebFactory(directory, seedDemo: true))
        {
            await before.RegisterAsync(before.CreateBrowserLikeClient(), "ada@example.org", "kept-password-1");
            await before.CreateChallengeAsync("kept-challenge");
        }

        await using var after = new ChallengeWebFactory(directory, seedDemo: true);
        var client = after.CreateBrowserLikeClient();

        var list = await client.GetStringAsync("/challenges");
        Assert.Contains("Title of kept-challenge", list);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(list, "href=\"/challenges/eurosat-land-cover\""));
        Assert.Equal(HttpStatusCode.Redirect, (await after.LogInAsync(client, "ada@example.org", "kept-password-1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin")).StatusCode);
    }
}
