using Challenge.Core.Accounts;
using Challenge.Core.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Challenge.Core.Tests;

public abstract class AccountServiceTests(string provider)
{
    [DatabaseFact]
    public async Task The_first_account_becomes_admin_and_later_ones_are_participants()
    {
        await using var harness = await CoreHarness.StartAsync(provider);
        await using var scope = harness.Services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<AccountService>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();

        var first = await accounts.RegisterAsync("ada@example.org", "Ada", "correct-horse-1");
        var second = await accounts.RegisterAsync("bob@example.org", "Bob", "correct-horse-2");

        Assert.True(first.BecameAdmin);
        Assert.False(second.BecameAdmin);
        Assert.Equal([Roles.Admin, Roles.Organizer, Roles.Participant], (await users.GetRolesAsync(first.User!)).Order());
        Assert.Equal([Roles.Participant], await users.GetRolesAsync(second.User!));
    }

    [DatabaseFact]
    public async Task A_weak_password_or_a_taken_email_is_refused_and_nothing_is_stored()
    {
        await using var harness = await CoreHarness.StartAsync(provider);
        await using var scope = harness.Services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<AccountService>();

        var weak = await accounts.RegisterAsync("ada@example.org", "Ada", "short");
        Assert.False(weak.Succeeded);
        Assert.Contains(weak.Errors, e => e.Contains("at least 8 characters"));
        Assert.Equal(0, await accounts.CountAsync());

        Assert.True((await accounts.RegisterAsync("ada@example.org", "Ada", "correct-horse-1")).Succeeded);
        var taken = await accounts.RegisterAsync("ada@example.org", "Other Ada", "correct-horse-2");
        Assert.False(taken.Succeeded);
        // Neutral: "already taken" would tell anyone which addresses have accounts.
        Assert.Equal([AccountService.NotCreated], taken.Errors);
        Assert.Equal(1, await accounts.CountAsync());
    }
}

public sealed class AccountServiceTestsOnSqlite() : AccountServiceTests(DatabaseProviders.Sqlite);

public sealed class AccountServiceTestsOnPostgres() : AccountServiceTests(DatabaseProviders.Postgres), IPostgresTests;
