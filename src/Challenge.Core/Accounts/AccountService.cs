using Challenge.Core.Outcomes;
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

    public const string InvalidResetLink = "This link is not valid any more: it was used already, it expired, or it was copied incompletely. Ask an admin for a new link.";

    public static string? ValidateDisplayName(string? displayName) =>
        string.IsNullOrWhiteSpace(displayName) ? "Enter the name others see."
        : displayName.Trim().Length > AccountRules.DisplayNameMaxLength ? $"The name is {displayName.Trim().Length} characters long; at most {AccountRules.DisplayNameMaxLength} are allowed."
        : null;

    /// <summary>Renames the person; the value is the stored name.</summary>
    public async Task<Outcome<AppUser>> SetDisplayNameAsync(string userId, string displayName)
    {
        if (ValidateDisplayName(displayName) is { } error)
        {
            return Outcome<AppUser>.Invalid(nameof(AppUser.DisplayName), error);
        }
        if (await users.FindByIdAsync(userId) is not { } user)
        {
            return Outcome<AppUser>.NotFound("Your account no longer exists.");
        }
        user.DisplayName = displayName.Trim();
        var result = await users.UpdateAsync(user);
        return result.Succeeded ? user : Outcome<AppUser>.Invalid(nameof(AppUser.DisplayName), string.Join(" ", result.Errors.Select(e => e.Description)));
    }

    /// <summary>Changes the password after checking the current one; a wrong current password is reported on that field.</summary>
    public async Task<Outcome<AppUser>> ChangePasswordAsync(string userId, string currentPassword, string newPassword)
    {
        if (await users.FindByIdAsync(userId) is not { } user)
        {
            return Outcome<AppUser>.NotFound("Your account no longer exists.");
        }
        if (string.IsNullOrEmpty(currentPassword))
        {
            return Outcome<AppUser>.Invalid("CurrentPassword", "Enter your current password.");
        }
        var result = await users.ChangePasswordAsync(user, currentPassword, newPassword ?? "");
        if (result.Succeeded)
        {
            logger.LogInformation("{UserId} changed their password", user.Id);
            return user;
        }
        return Outcome<AppUser>.Invalid(PasswordErrors(result, "NewPassword"));
    }

    /// <summary>Sets a new password through a reset token (which the change makes unusable: the token is bound to the security stamp).</summary>
    public async Task<Outcome<AppUser>> ResetPasswordAsync(string userId, string token, string newPassword)
    {
        if (await users.FindByIdAsync(userId) is not { } user)
        {
            return Outcome<AppUser>.Invalid("", InvalidResetLink);
        }
        var result = await users.ResetPasswordAsync(user, token, newPassword ?? "");
        if (result.Succeeded)
        {
            // A reset also ends a lockout the forgotten password may have caused.
            await users.SetLockoutEndDateAsync(user, null);
            logger.LogInformation("{UserId} set a new password through a reset link", user.Id);
            return user;
        }
        return Outcome<AppUser>.Invalid(PasswordErrors(result, "NewPassword"));
    }

    private static Dictionary<string, string> PasswordErrors(IdentityResult result, string newPasswordField)
    {
        var errors = new Dictionary<string, string>();
        foreach (var error in result.Errors)
        {
            var field = error.Code switch
            {
                nameof(IdentityErrorDescriber.PasswordMismatch) => "CurrentPassword",
                nameof(IdentityErrorDescriber.InvalidToken) => "",
                _ => newPasswordField,
            };
            var message = error.Code switch
            {
                nameof(IdentityErrorDescriber.PasswordMismatch) => "The current password is wrong.",
                nameof(IdentityErrorDescriber.InvalidToken) => InvalidResetLink,
                _ => error.Description,
            };
            errors[field] = errors.TryGetValue(field, out var before) ? $"{before} {message}" : message;
        }
        return errors;
    }
}
