using System.Security.Claims;
using Challenge.Core.Accounts;
using Challenge.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Challenge.Core.Tests;

// The real services over a real SQLite file in a fresh temporary folder, started the way the host
// starts them (migrations, roles, optional demo seed).
public sealed class CoreHarness : IAsyncDisposable
{
    private readonly IHost _host;

    private CoreHarness(IHost host, string directory)
    {
        _host = host;
        Directory = directory;
    }

    public IServiceProvider Services => _host.Services;
    public string Directory { get; }

    public static async Task<CoreHarness> StartAsync(bool seedDemo = false, string? directory = null)
    {
        directory ??= Path.Combine(Path.GetTempPath(), "challenge-core-tests", Guid.NewGuid().ToString("N"));
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = directory,
            ["Demo:Seed"] = seedDemo ? "true" : "false",
        });
        builder.Services.AddLogging();
        builder.Services.AddChallengeCore(builder.Configuration, directory);
        var host = builder.Build();
        await host.StartAsync();
        return new CoreHarness(host, directory);
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
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
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
