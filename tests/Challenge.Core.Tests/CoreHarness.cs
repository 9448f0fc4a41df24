using System.Security.Claims;
using Challenge.Core.Accounts;
using Challenge.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Challenge.Core.Tests;

// The real services over a real database (a SQLite file in a fresh temporary folder, or a fresh
// PostgreSQL database) started the way the host starts them (migrations, roles, optional demo seed).
public sealed class CoreHarness : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly TestDatabase _database;

    private CoreHarness(IHost host, string directory, TestDatabase database)
    {
        _host = host;
        Directory = directory;
        _database = database;
    }

    public string Provider => _database.Provider;

    public TestDatabase Database => _database;

    public IServiceProvider Services => _host.Services;
    public string Directory { get; }

    public static Task<CoreHarness> StartAsync(bool seedDemo = false, string? directory = null) =>
        StartAsync(DatabaseProviders.Sqlite, seedDemo, directory);

    // The demo is seeded at a twentieth of its size unless a test asks for more: every case keeps its
    // shape (classes, tasks, teams) with fewer images and rows.
    public static async Task<CoreHarness> StartAsync(string provider, bool seedDemo = false, string? directory = null, double demoScale = 0.05,
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        directory ??= Path.Combine(Path.GetTempPath(), "challenge-core-tests", Guid.NewGuid().ToString("N"));
        var database = await TestDatabase.CreateAsync(provider);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = directory,
            ["Demo:Seed"] = seedDemo ? "true" : "false",
            ["Demo:Scale"] = demoScale.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        builder.Configuration.AddInMemoryCollection(database.Settings().Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }
        builder.Services.AddLogging();
        builder.Services.AddChallengeCore(builder.Configuration, directory);
        var host = builder.Build();
        try
        {
            await host.StartAsync();
        }
        catch
        {
            host.Dispose();
            await database.DisposeAsync();
            throw;
        }
        return new CoreHarness(host, directory, database);
    }

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    public ChallengeDbContext CreateDbContext() => Get<IDbContextFactory<ChallengeDbContext>>().CreateDbContext();

    public static ClaimsPrincipal User(string id, params string[] roles) =>
        new(new ClaimsIdentity(
            roles.Select(r => new Claim(ClaimTypes.Role, r)).Append(new Claim(ClaimTypes.NameIdentifier, id)),
            "test"));

    public static ClaimsPrincipal Organizer(string id = "organizer-1") => User(id, Roles.Organizer);

    public static ClaimsPrincipal Anonymous => new(new ClaimsIdentity());

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        await _database.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; never fail a test over cleanup.
        }
    }
}
