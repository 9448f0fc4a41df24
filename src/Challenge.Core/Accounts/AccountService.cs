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
                return new RegistrationResult(null, Neutral(created.Errors), false);
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

    public const string NotCreated = "No account was created with this email. If you registered before, log in instead.";

    // "Username … is already taken" would tell anyone which addresses have accounts: those errors
    // become one sentence that reads the same whether or not the address is known. Errors about the
    // password say nothing about anyone and stay as they are.
    private static List<string> Neutral(IEnumerable<IdentityError> errors)
    {
        var duplicateCodes = new HashSet<string>(StringComparer.Ordinal)
        {
            nameof(IdentityErrorDescriber.DuplicateUserName), nameof(IdentityErrorDescriber.DuplicateEmail),
        };
        var messages = new List<string>();
        foreach (var error in errors)
        {
            var message = duplicateCodes.Contains(error.Code) ? NotCreated : error.Description;
            if (!messages.Contains(message))
            {
                messages.Add(message);
            }
        }
        return messages;
    }

    public Task<int> CountAsync() => users.Users.CountAsync();
}
