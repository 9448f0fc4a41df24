using System.Net;
using System.Net.Sockets;
using Challenge.Core.Accounts;
using Challenge.Core.Data;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Challenge.Web.Tests.Hardening;

// Password sign-in against guessing, without handing a stranger a way to lock a team out, and
// without telling anyone which addresses have accounts.
public abstract class SignInHardeningTests(string provider) : IAsyncLifetime
{
    private const string LoginFailed = "The email or the password is wrong, or there were too many attempts";

    private CompetitionSite _site = default!;

    public async Task InitializeAsync() => _site = await CompetitionSite.StartAsync(provider: provider);

    public async Task DisposeAsync() => await _site.DisposeAsync();

    [DatabaseFact]
    public async Task Five_wrong_passwords_pause_password_sign_in_but_the_account_s_api_tokens_keep_working()
    {
        var mine = $"/api/challenges/{CompetitionSite.Slug}/submissions";
        var rival = _site.Factory.CreateBrowserLikeClient();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            Assert.Equal(HttpStatusCode.OK, (await _site.Factory.LogInAsync(rival, _site.Ada.Email, $"guess-{attempt}-password")).StatusCode);
        }
        await using (var scope = _site.Factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            Assert.True(await users.IsLockedOutAsync((await users.FindByIdAsync(_site.Ada.UserId))!));
        }

        // The password is paused for everyone, the right one included...
        var paused = await _site.Factory.LogInAsync(_site.Factory.CreateBrowserLikeClient(), _site.Ada.Email, "correct-horse-1");
        Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        Assert.Contains(LoginFailed, await paused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // ...but the team's scripts still read and submit with the account's token.
        Assert.Equal(HttpStatusCode.OK, (await _site.Ada.Api.GetAsync(mine)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await _site.SubmitAsync(_site.Ada, CompetitionSite.PerfectCsv())).StatusCode);
        // And the session Ada already had is hers still.
        Assert.Equal(HttpStatusCode.OK, (await _site.Ada.Browser.GetAsync("/account/tokens")).StatusCode);
    }

    [DatabaseFact]
    public async Task The_login_form_answers_alike_for_an_unknown_address_a_wrong_password_and_a_paused_account()
    {
        var stranger = _site.Factory.CreateBrowserLikeClient();
        for (var attempt = 0; attempt < 6; attempt++)
        {
            await _site.Factory.LogInAsync(stranger, _site.Bob.Email, $"guess-{attempt}-password");
        }

        var answers = new List<string>();
        foreach (var (email, password) in new[]
        {
            ("nobody-here@example.org", "correct-horse-1"),
            (_site.Ada.Email, "wrong-horse-1"),
            (_site.Bob.Email, "correct-horse-1"),
            (_site.Bob.Email, "wrong-horse-1"),
        })
        {
            var response = await _site.Factory.LogInAsync(_site.Factory.CreateBrowserLikeClient(), email, password);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            answers.Add(ErrorShown(await response.Content.ReadAsStringAsync()));
        }

        Assert.All(answers, answer => Assert.StartsWith(LoginFailed, answer, StringComparison.Ordinal));
        Assert.Single(answers.Distinct());
        Assert.DoesNotContain(answers, answer => answer.Contains("locked", StringComparison.OrdinalIgnoreCase));
    }

    [DatabaseFact]
    public async Task Registering_a_taken_address_gets_a_neutral_refusal_that_does_not_say_it_is_taken()
    {
        var response = await _site.Factory.RegisterAsync(_site.Factory.CreateBrowserLikeClient(), _site.Ada.Email, "another-horse-2", "Someone");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains(AccountService.NotCreated, System.Net.WebUtility.HtmlDecode(page), StringComparison.Ordinal);
        Assert.DoesNotContain("taken", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(_site.Ada.Email, page.Replace($"value=\"{_site.Ada.Email}\"", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
    }

    private static string ErrorShown(string page)
    {
        var match = System.Text.RegularExpressions.Regex.Match(page, "data-testid=\"login-error\">(?<text>[^<]*)<");
        Assert.True(match.Success, "The login page shows no error.");
        return System.Net.WebUtility.HtmlDecode(match.Groups["text"].Value);
    }
}

public sealed class SignInHardeningTestsOnSqlite() : SignInHardeningTests(DatabaseProviders.Sqlite);

public sealed class SignInHardeningTestsOnPostgres() : SignInHardeningTests(DatabaseProviders.Postgres), IPostgresTests;

// The per-client throttle, over real sockets so that the server sees real client addresses: the
// loopback network answers from 127.0.0.1 and from 127.0.0.2 alike.
public sealed class SignInThrottleTests
{
    [Fact]
    public async Task One_client_trying_twenty_addresses_is_throttled_while_another_client_is_not()
    {
        await using var factory = new ChallengeWebFactory();
        factory.Settings["Security:SignInAttemptsPerMinute"] = "10";
        factory.UseKestrel(0);
        factory.StartServer();
        var address = new Uri(factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()
            .Replace("[::]", "127.0.0.1").Replace("0.0.0.0", "127.0.0.1").Replace("localhost", "127.0.0.1"));
        using var sprayer = ClientFrom(IPAddress.Parse("127.0.0.1"), address);
        using var neighbour = ClientFrom(IPAddress.Parse("127.0.0.2"), address);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 20; i++)
        {
            statuses.Add((await factory.LogInAsync(sprayer, $"person{i:D2}@example.org", "correct-horse-1")).StatusCode);
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, 10), statuses.Take(10));
        Assert.All(statuses.Skip(10), status => Assert.Equal(HttpStatusCode.TooManyRequests, status));
        var refused = await factory.LogInAsync(sprayer, "person99@example.org", "correct-horse-1");
        Assert.NotNull(refused.Headers.RetryAfter?.Delta);
        Assert.Contains("Too many sign-in attempts", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // Registration posts count too: they answer whether an address is free.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await factory.RegisterAsync(sprayer, "fresh@example.org")).StatusCode);
        // Reading pages is not throttled, and another client signs up and in as usual.
        Assert.Equal(HttpStatusCode.OK, (await sprayer.GetAsync("/account/login")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await factory.RegisterAsync(neighbour, "neighbour@example.org")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await factory.LogInAsync(ClientFrom(IPAddress.Parse("127.0.0.2"), address), "neighbour@example.org", "correct-horse-1")).StatusCode);
    }

    private static HttpClient ClientFrom(IPAddress local, Uri server) => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = true,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(local, 0));
                await socket.ConnectAsync(IPAddress.Loopback, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    }) { BaseAddress = server };
}
