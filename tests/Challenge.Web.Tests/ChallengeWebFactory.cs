using System.Net;
using System.Security.Claims;
using System.Text.RegularExpressions;
using Challenge.Core.Accounts;
using Challenge.Core.Challenges;
using Challenge.Core.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Challenge.Web.Tests;

// The real app over a real database in its own folder: a SQLite file there by default, or the
// given test database (PostgreSQL); pass a folder (and the same database) to start a second app on
// the same data (a restart). A factory made by CreateAsync owns its database and drops it.
public sealed partial class ChallengeWebFactory(string? dataDirectory = null, bool seedDemo = false, TestDatabase? database = null) : WebApplicationFactory<Program>
{
    private bool _ownsDatabase;

    public string DataDirectory { get; } = dataDirectory ?? NewDataDirectory();

    public TestDatabase? Database { get; } = database;

    public string Provider => Database?.Provider ?? DatabaseProviders.Sqlite;

    // The server's warnings and errors, for a failing test to print.
    public ServerLog ServerLog { get; } = new();

    public static async Task<ChallengeWebFactory> CreateAsync(string provider, bool seedDemo = false) =>
        new(seedDemo: seedDemo, database: await TestDatabase.CreateAsync(provider)) { _ownsDatabase = true };

    // A context outside the app, for looking at what it stored.
    public ChallengeDbContext OpenDbContext() =>
        (Database ?? throw new InvalidOperationException("Use a TestDatabase to open the store from outside.")).Open(DataDirectory);

    // Extra configuration for one test (set before the first request).
    public Dictionary<string, string> Settings { get; } = [];

    // The server's embedded baseline worker would take the runs that tests hand to their own
    // workers, so it is off unless a test turns it on (which leaves the setting at its default).
    public bool EmbeddedWorker { get; set; }

    public static string NewDataDirectory() =>
        Path.Combine(Path.GetTempPath(), "challenge-web-tests", Guid.NewGuid().ToString("N"));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Storage:DataDirectory", DataDirectory);
        builder.UseSetting("Demo:Seed", seedDemo ? "true" : "false");
        // The four demo cases at a twentieth of their size: same classes, tasks and teams, seeded in seconds.
        builder.UseSetting("Demo:Scale", "0.05");
        // Tests sign many people in from one address; SignInThrottleTests set the real limit.
        builder.UseSetting("Security:SignInAttemptsPerMinute", "100000");
        builder.ConfigureLogging(logging => logging.AddProvider(ServerLog));
        if (!EmbeddedWorker)
        {
            builder.UseSetting("Baselines:EmbeddedWorker", "false");
        }
        foreach (var (key, value) in Database?.Settings() ?? new Dictionary<string, string>())
        {
            builder.UseSetting(key, value);
        }
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public HttpClient CreateBrowserLikeClient() =>
        CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true, BaseAddress = ClientOptions.BaseAddress });

    public async Task<HttpResponseMessage> RegisterAsync(HttpClient client, string email, string password = "correct-horse-1", string? name = null)
    {
        var form = await FormFieldsAsync(client, "/account/register");
        form["Input.DisplayName"] = name ?? email.Split('@')[0];
        form["Input.Email"] = email;
        form["Input.Password"] = password;
        form["Input.ConfirmPassword"] = password;
        return await client.PostAsync("/account/register", new FormUrlEncodedContent(form));
    }

    public async Task<HttpResponseMessage> LogInAsync(HttpClient client, string email, string password, string returnUrl = "/")
    {
        var path = $"/account/login?returnUrl={Uri.EscapeDataString(returnUrl)}";
        var form = await FormFieldsAsync(client, path);
        form["Input.Email"] = email;
        form["Input.Password"] = password;
        return await client.PostAsync(path, new FormUrlEncodedContent(form));
    }

    // The hidden fields a browser would post back: the anti-forgery token and the form's name.
    public static async Task<Dictionary<string, string>> FormFieldsAsync(HttpClient client, string path)
    {
        var html = await client.GetStringAsync(path);
        return HiddenInput().Matches(html)
            .ToDictionary(m => WebUtility.HtmlDecode(m.Groups["name"].Value), m => WebUtility.HtmlDecode(m.Groups["value"].Value));
    }

    public async Task<Competition> CreateChallengeAsync(string slug, string overview = "", bool published = true)
    {
        var admin = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, "test-admin"), new Claim(ClaimTypes.Role, Roles.Admin)], "test"));
        var result = await Services.GetRequiredService<CompetitionService>().CreateAsync(new CompetitionInput
        {
            Slug = slug,
            Title = $"Title of {slug}",
            OverviewMarkdown = overview,
            StartsAtUtc = DateTime.UtcNow.Date.AddDays(-1),
            EndsAtUtc = DateTime.UtcNow.Date.AddDays(30),
            Published = published,
        }, admin);
        return result.Saved ?? throw new InvalidOperationException(string.Join("; ", result.Errors.Values));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (_ownsDatabase && Database is not null)
        {
            await Database.DisposeAsync();
        }
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>[^\"]+)\" value=\"(?<value>[^\"]*)\"")]
    private static partial Regex HiddenInput();
}
