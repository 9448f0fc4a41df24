using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Challenge.Web.Tests.Hardening;

// Where a response sends the browser, what it lets a page load, and who may open the live connection.
public sealed class RedirectAndHeaderTests
{
    public static readonly TheoryData<string, string> ReturnUrls = new()
    {
        { "/challenges", "/challenges" },
        { "/challenges/caf\u00e9?tab=r\u00e9sum\u00e9", "/challenges/caf%C3%A9?tab=r%C3%A9sum%C3%A9" },
        { "/teams/\U0001F600", "/teams/%F0%9F%98%80" },
        { "/\t/evil.example", "/" },
        { "/\r\nSet-Cookie: stolen=1", "/" },
        { "/challenges\u0000", "/" },
        { "/\u007f", "/" },
        { "/\u202Eelpmaxe.live", "/" },
        { "/\\evil.example", "/" },
        { "//evil.example", "/" },
        { "https://evil.example/", "/" },
        { "javascript:alert(1)", "/" },
    };

    [Theory]
    [MemberData(nameof(ReturnUrls))]
    public async Task Logging_in_with_a_hostile_return_url_redirects_to_a_local_page(string returnUrl, string expected)
    {
        await using var factory = new ChallengeWebFactory();
        var client = factory.CreateBrowserLikeClient();
        await factory.RegisterAsync(client, "ada@example.org");
        var fresh = factory.CreateBrowserLikeClient();

        var page = await fresh.GetAsync($"/account/login?returnUrl={Uri.EscapeDataString(returnUrl)}");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var login = await factory.LogInAsync(fresh, "ada@example.org", "correct-horse-1", returnUrl);

        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal(expected, LocalTarget(login));
    }

    [Theory]
    [MemberData(nameof(ReturnUrls))]
    public async Task Registering_with_a_hostile_return_url_redirects_to_a_local_page(string returnUrl, string expected)
    {
        await using var factory = new ChallengeWebFactory();
        var client = factory.CreateBrowserLikeClient();
        var path = $"/account/register?returnUrl={Uri.EscapeDataString(returnUrl)}";
        var form = await ChallengeWebFactory.FormFieldsAsync(client, path);
        form["Input.DisplayName"] = "Ada";
        form["Input.Email"] = "ada@example.org";
        form["Input.Password"] = "correct-horse-1";
        form["Input.ConfirmPassword"] = "correct-horse-1";

        var register = await client.PostAsync(path, new FormUrlEncodedContent(form));

        Assert.Equal(HttpStatusCode.Redirect, register.StatusCode);
        Assert.Equal(expected, LocalTarget(register));
    }

    [Theory]
    [MemberData(nameof(ReturnUrls))]
    public async Task Logging_out_with_a_hostile_return_url_redirects_to_a_local_page(string returnUrl, string expected)
    {
        await using var factory = new ChallengeWebFactory();
        var client = factory.CreateBrowserLikeClient();
        await factory.RegisterAsync(client, "ada@example.org");
        var form = await ChallengeWebFactory.FormFieldsAsync(client, "/");
        form["returnUrl"] = returnUrl;

        var logout = await client.PostAsync("/account/logout", new FormUrlEncodedContent(form));

        if (returnUrl.Contains('\0'))
        {
            // The framework's form reader refuses a NUL anywhere in a form before any of our code runs.
            Assert.Equal(HttpStatusCode.BadRequest, logout.StatusCode);
            return;
        }
        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        Assert.Equal(expected, LocalTarget(logout));
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/account/tokens")).StatusCode);
    }

    // The page a redirect sends the browser to, which must be on this site.
    private static string LocalTarget(HttpResponseMessage response)
    {
        var raw = string.Join("", response.Headers.GetValues("Location"));
        Assert.All(raw, c => Assert.InRange(c, '!', '~'));
        var location = response.Headers.Location!;
        if (!location.IsAbsoluteUri)
        {
            return location.OriginalString;
        }
        Assert.Equal("localhost", location.Host);
        return raw[location.GetLeftPart(UriPartial.Authority).Length..];
    }

    [Fact]
    public async Task Pages_carry_a_content_security_policy_with_no_inline_script_and_a_referrer_policy()
    {
        await using var factory = new ChallengeWebFactory();
        var client = factory.CreateBrowserLikeClient();

        foreach (var path in new[] { "/", "/account/login", "/api/challenges", "/no-such-page" })
        {
            var response = await client.GetAsync(path);
            var policy = Directives(Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
            Assert.Equal(["'self'"], policy["default-src"]);
            Assert.Equal(["'self'"], policy["script-src"]);
            Assert.Equal(["'self'", "'unsafe-inline'"], policy["style-src"]);
            Assert.Contains("'self'", policy["connect-src"]);
            Assert.Equal(["'none'"], policy["object-src"]);
            Assert.Equal(["'none'"], policy["frame-ancestors"]);
            Assert.Equal(["'self'"], policy["base-uri"]);
            Assert.Equal(["'self'"], policy["form-action"]);
            Assert.Equal("same-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
            Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        }
    }

    private static Dictionary<string, string[]> Directives(string policy) => policy
        .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(directive => directive.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .ToDictionary(parts => parts[0], parts => parts[1..]);

    [Fact]
    public async Task The_live_connection_refuses_a_page_of_another_site_with_the_user_s_cookie()
    {
        await using var factory = new ChallengeWebFactory();
        factory.Settings["Security:AllowedOrigins:0"] = "https://challenge.example.org";
        var client = factory.CreateBrowserLikeClient();
        await factory.RegisterAsync(client, "ada@example.org");

        Assert.Equal(HttpStatusCode.Forbidden, (await NegotiateAsync(client, "http://evil.example")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await NegotiateAsync(client, "http://localhost.evil.example")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await NegotiateAsync(client, "null")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await NegotiateAsync(client, "http://localhost")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await NegotiateAsync(client, "https://challenge.example.org")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await NegotiateAsync(client, null)).StatusCode);
    }

    [Fact]
    public async Task A_websocket_to_the_live_connection_from_another_site_is_refused()
    {
        await using var factory = new ChallengeWebFactory();
        factory.UseKestrel(0);
        factory.StartServer();
        var server = new Uri(factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()
            .Replace("[::]", "127.0.0.1").Replace("0.0.0.0", "127.0.0.1"));
        var sockets = new UriBuilder(server) { Scheme = "ws", Path = "/_blazor" }.Uri;

        using var foreign = new ClientWebSocket();
        foreign.Options.CollectHttpResponseDetails = true;
        foreign.Options.SetRequestHeader("Origin", "http://evil.example");
        await Assert.ThrowsAsync<WebSocketException>(() => foreign.ConnectAsync(sockets, CancellationToken.None));
        Assert.Equal(HttpStatusCode.Forbidden, foreign.HttpStatusCode);

        // The same request from the site's own page gets past the origin check (and on to Blazor,
        // which wants a connection id that this bare request does not have).
        using var own = new ClientWebSocket();
        own.Options.CollectHttpResponseDetails = true;
        own.Options.SetRequestHeader("Origin", server.GetLeftPart(UriPartial.Authority));
        try
        {
            await own.ConnectAsync(sockets, CancellationToken.None);
        }
        catch (WebSocketException)
        {
        }
        Assert.NotEqual(HttpStatusCode.Forbidden, own.HttpStatusCode);
    }

    private static async Task<HttpResponseMessage> NegotiateAsync(HttpClient client, string? origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/_blazor/negotiate?negotiateVersion=1");
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }
        return await client.SendAsync(request);
    }
}
