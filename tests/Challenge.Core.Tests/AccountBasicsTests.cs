using Challenge.Core.Accounts;
using Challenge.Core.Outcomes;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Challenge.Core.Tests;

// A person renames themselves and changes their password; an admin hands out a reset token that works once.
public abstract class AccountBasicsTests(string provider) : IAsyncLifetime
{
    private CoreHarness _harness = default!;
    private string _adaId = "";

    public async Task InitializeAsync()
    {
        _harness = await CoreHarness.StartAsync(provider);
        await using var scope = _harness.Services.CreateAsyncScope();
        var registered = await scope.ServiceProvider.GetRequiredService<AccountService>().RegisterAsync("ada@example.org", "Ada", "correct-horse-1");
        Assert.True(registered.Succeeded);
        _adaId = registered.User!.Id;
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = _harness.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    private Task<bool> PasswordIsAsync(string password) => InScopeAsync(async s =>
    {
        var users = s.GetRequiredService<UserManager<AppUser>>();
        return await users.CheckPasswordAsync((await users.FindByIdAsync(_adaId))!, password);
    });

    [DatabaseFact]
    public async Task A_password_changes_only_with_the_current_one_and_each_error_names_its_field()
    {
        var wrong = await InScopeAsync(s => s.GetRequiredService<AccountService>().ChangePasswordAsync(_adaId, "not-my-password-1", "new-horse-22"));
        Assert.Equal(OutcomeStatus.Invalid, wrong.Status);
        Assert.Equal(["CurrentPassword"], wrong.Errors.Keys);
        var weak = await InScopeAsync(s => s.GetRequiredService<AccountService>().ChangePasswordAsync(_adaId, "correct-horse-1", "short"));
        Assert.Contains("NewPassword", weak.Errors.Keys);
        Assert.True(await PasswordIsAsync("correct-horse-1"));

        var changed = await InScopeAsync(s => s.GetRequiredService<AccountService>().ChangePasswordAsync(_adaId, "correct-horse-1", "new-horse-22"));
        Assert.True(changed.IsOk);
        Assert.True(await PasswordIsAsync("new-horse-22"));
        Assert.False(await PasswordIsAsync("correct-horse-1"));
    }

    [DatabaseFact]
    public async Task A_reset_token_is_for_admins_to_make_and_works_once()
    {
        var directory = _harness.Get<AccountDirectory>();
        Assert.Equal(OutcomeStatus.Forbidden, (await directory.CreatePasswordResetTokenAsync(_adaId, CoreHarness.User("someone", Roles.Organizer))).Status);
        Assert.Equal(OutcomeStatus.NotFound, (await directory.CreatePasswordResetTokenAsync("nobody", CoreHarness.User("admin", Roles.Admin))).Status);
        var token = await directory.CreatePasswordResetTokenAsync(_adaId, CoreHarness.User("admin", Roles.Admin));
        Assert.True(token.IsOk);

        var used = await InScopeAsync(s => s.GetRequiredService<AccountService>().ResetPasswordAsync(_adaId, token.Value!, "reset-horse-3"));
        Assert.True(used.IsOk);
        Assert.True(await PasswordIsAsync("reset-horse-3"));

        var again = await InScopeAsync(s => s.GetRequiredService<AccountService>().ResetPasswordAsync(_adaId, token.Value!, "second-horse-4"));
        Assert.Equal(OutcomeStatus.Invalid, again.Status);
        Assert.Equal(AccountService.InvalidResetLink, again.Errors[""]);
        Assert.True(await PasswordIsAsync("reset-horse-3"));
        var forged = await InScopeAsync(s => s.GetRequiredService<AccountService>().ResetPasswordAsync(_adaId, "forged", "second-horse-4"));
        Assert.Equal(AccountService.InvalidResetLink, forged.Errors[""]);
    }

    [DatabaseFact]
    public async Task The_display_name_is_checked_stored_and_carried_in_the_sign_in()
    {
        var blank = await InScopeAsync(s => s.GetRequiredService<AccountService>().SetDisplayNameAsync(_adaId, "  "));
        Assert.Equal([nameof(AppUser.DisplayName)], blank.Errors.Keys);
        var tooLong = await InScopeAsync(s => s.GetRequiredService<AccountService>().SetDisplayNameAsync(_adaId, new string('x', AccountRules.DisplayNameMaxLength + 1)));
        Assert.Equal(OutcomeStatus.Invalid, tooLong.Status);

        var renamed = await InScopeAsync(s => s.GetRequiredService<AccountService>().SetDisplayNameAsync(_adaId, "  Ada Lovelace "));
        Assert.Equal("Ada Lovelace", renamed.Value!.DisplayName);
        var principal = await InScopeAsync(async s =>
        {
            var users = s.GetRequiredService<UserManager<AppUser>>();
            return await s.GetRequiredService<IUserClaimsPrincipalFactory<AppUser>>().CreateAsync((await users.FindByIdAsync(_adaId))!);
        });
        Assert.Equal("Ada Lovelace", principal.ShownName());
        Assert.True(principal.IsInRole(Roles.Admin));
    }
}

public sealed class AccountBasicsTestsOnSqlite() : AccountBasicsTests(Challenge.Core.Data.DatabaseProviders.Sqlite);

public sealed class AccountBasicsTestsOnPostgres() : AccountBasicsTests(Challenge.Core.Data.DatabaseProviders.Postgres), IPostgresTests;
