using Challenge.Core.Accounts;
using Challenge.Core.Outcomes;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Challenge.Core.Tests;

// The admin's account list searches and pages in the database; only an admin reads it or grants the Organizer role.
public abstract class AccountDirectoryTests(string provider) : IAsyncLifetime
{
    private CoreHarness _harness = default!;
    private CompetitionWorld _world = default!;

    public async Task InitializeAsync()
    {
        _harness = await CoreHarness.StartAsync(provider);
        _world = await CompetitionWorld.CreateAsync(_harness);
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [DatabaseFact]
    public async Task Accounts_are_searched_paged_and_given_the_organizer_role_by_an_admin_only()
    {
        foreach (var name in new[] { "ada", "adalbert", "bob", "cy" })
        {
            await _world.RegisterAsync(name);
        }
        var directory = _harness.Get<AccountDirectory>();
        var admin = CoreHarness.User("admin-1", Roles.Admin);

        var ada = await directory.ListAsync("ADA", new PageRequest(0, 10, nameof(AccountRow.DisplayName)), admin);
        Assert.Equal(["ada", "adalbert"], ada.Value!.Items.Select(a => a.DisplayName));
        var page = await directory.ListAsync(null, new PageRequest(1, 2, nameof(AccountRow.DisplayName)), admin);
        Assert.Equal(4, page.Value!.Total);
        Assert.Equal(["bob", "cy"], page.Value.Items.Select(a => a.DisplayName));

        var bob = page.Value.Items[0];
        Assert.True((await directory.SetOrganizerAsync(bob.Id, true, admin)).IsOk);
        Assert.Equal([Roles.Organizer], (await directory.ListAsync("bob", new PageRequest(), admin)).Value!.Items.Single().Roles);
        Assert.True((await directory.SetOrganizerAsync(bob.Id, false, admin)).IsOk);
        Assert.Empty((await directory.ListAsync("bob", new PageRequest(), admin)).Value!.Items.Single().Roles);

        var organizer = CoreHarness.Organizer();
        Assert.Equal(OutcomeStatus.Forbidden, (await directory.ListAsync(null, new PageRequest(), organizer)).Status);
        Assert.Equal(OutcomeStatus.Forbidden, (await directory.SetOrganizerAsync(bob.Id, true, organizer)).Status);
        await using var scope = _harness.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        Assert.False(await users.IsInRoleAsync((await users.FindByIdAsync(bob.Id))!, Roles.Organizer));
    }
}

public sealed class AccountDirectoryTestsOnSqlite() : AccountDirectoryTests(Challenge.Core.Data.DatabaseProviders.Sqlite);

public sealed class AccountDirectoryTestsOnPostgres() : AccountDirectoryTests(Challenge.Core.Data.DatabaseProviders.Postgres), IPostgresTests;
