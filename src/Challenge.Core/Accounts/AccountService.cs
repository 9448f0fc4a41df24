using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Challenge.Core.Accounts;

public sealed record RegistrationResult(AppUser? User, IReadOnlyList<string> Errors, bool BecameAdmin)
{
    public bool Succeeded => User is not null;
}

public sealed class AccountService(
    UserManager<AppUser> users,
    TimeProvider clock,
    ILogger<AccountService> logger)
{
    // Registrations are serialised so that two people racing to be first on an empty database
    // cannot both become Admin.
    private static readonly SemaphoreSlim RegistrationGate = new(1, 1);

    public async Task<RegistrationResult> RegisterAsync(string email, string displayName, string password)
    {
        var user = new AppUser
        {
            UserName = email.Trim(),
            Email = email.Trim(),
            DisplayName = string.IsNullOrWhiteSpace(displayName) ? email.Trim() : displayName.Trim(),
            CreatedAtUtc = clock.GetUtcNow().UtcDateTime,
        };

        await RegistrationGate.WaitAsync();
        try
        {
            var created = await users.CreateAsync(user, password);
            if (!created.Succeeded)
            {
                return new RegistrationResult(null, created.Errors.Select(e => e.Description).ToList(), false);
            }

            var becomesAdmin = (await users.GetUsersInRoleAsync(Roles.Admin)).Count == 0;
            var roles = becomesAdmin ? new[] { Roles.Admin, Roles.Organizer, Roles.Participant } : [Roles.Participant];
            var assigned = await users.AddToRolesAsync(user, roles);
            if (!assigned.Succeeded)
            {
                await users.DeleteAsync(user);
                return new RegistrationResult(null, assigned.Errors.Select(e => e.Description).ToList(), false);
            }

            if (becomesAdmin)
            {
                logger.LogInformation("First account {Email} registered on an empty database; it is the Admin", user.Email);
            }
            return new RegistrationResult(user, [], becomesAdmin);
        }
        finally
        {
            RegistrationGate.Release();
        }
    }

    public Task<int> CountAsync() => users.Users.CountAsync();
}
