using System.Security.Claims;
using Challenge.Core.Data;
using Challenge.Core.Outcomes;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Challenge.Core.Accounts;

public sealed record AccountRow(string Id, string DisplayName, string? Email, DateTime CreatedAtUtc, IReadOnlyList<string> Roles);

/// <summary>The admin's list of accounts, searched and paged in the database, and the one role an admin grants.</summary>
public sealed class AccountDirectory(IDbContextFactory<ChallengeDbContext> dbFactory, IServiceScopeFactory scopes, ILogger<AccountDirectory> logger)
{
    public async Task<Outcome<PageOf<AccountRow>>> ListAsync(string? search, PageRequest page, ClaimsPrincipal admin, CancellationToken cancellationToken = default)
    {
        if (!admin.IsInRole(Roles.Admin))
        {
            return Outcome<PageOf<AccountRow>>.Forbidden("Only an admin may list the accounts.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var users = db.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = search.Trim().ToUpperInvariant();
            users = users.Where(u => u.NormalizedEmail!.Contains(term) || u.DisplayName.ToUpper().Contains(term));
        }
        var total = await users.CountAsync(cancellationToken);
        users = (page.SortBy, page.Descending) switch
        {
            (nameof(AccountRow.DisplayName), false) => users.OrderBy(u => u.DisplayName),
            (nameof(AccountRow.DisplayName), true) => users.OrderByDescending(u => u.DisplayName),
            (nameof(AccountRow.Email), false) => users.OrderBy(u => u.NormalizedEmail),
            (nameof(AccountRow.Email), true) => users.OrderByDescending(u => u.NormalizedEmail),
            (_, true) => users.OrderByDescending(u => u.CreatedAtUtc),
            _ => users.OrderBy(u => u.CreatedAtUtc),
        };
        var rows = await users.Skip(page.Skip).Take(page.Take)
            .Select(u => new
            {
                u.Id, u.DisplayName, u.Email, u.CreatedAtUtc,
                Roles = db.UserRoles.Where(m => m.UserId == u.Id).Join(db.Roles, m => m.RoleId, r => r.Id, (m, r) => r.Name!).ToList(),
            })
            .ToListAsync(cancellationToken);
        return new PageOf<AccountRow>(rows.Select(r => new AccountRow(r.Id, r.DisplayName, r.Email, r.CreatedAtUtc, r.Roles.Order().ToList())).ToList(), total);
    }

    /// <summary>Grants or withdraws the Organizer role; it takes effect on the account's next request.</summary>
    public async Task<Outcome<bool>> SetOrganizerAsync(string userId, bool organizer, ClaimsPrincipal admin)
    {
        if (!admin.IsInRole(Roles.Admin))
        {
            return Outcome<bool>.Forbidden("Only an admin may grant the Organizer role.");
        }
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        if (await users.FindByIdAsync(userId) is not { } user)
        {
            return Outcome<bool>.NotFound("No such account.");
        }
        var result = organizer == await users.IsInRoleAsync(user, Roles.Organizer)
            ? IdentityResult.Success
            : organizer ? await users.AddToRoleAsync(user, Roles.Organizer) : await users.RemoveFromRoleAsync(user, Roles.Organizer);
        return result.Succeeded ? organizer : Outcome<bool>.Conflict(string.Join(" ", result.Errors.Select(e => e.Description)));
    }

    /// <summary>
    /// A password-reset token for an account, for an admin to hand over (there is no mail server).
    /// It works once: setting the password changes the account's security stamp, which the token is bound to.
    /// </summary>
    public async Task<Outcome<string>> CreatePasswordResetTokenAsync(string userId, ClaimsPrincipal admin)
    {
        if (!admin.IsInRole(Roles.Admin))
        {
            return Outcome<string>.Forbidden("Only an admin may make a password-reset link.");
        }
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        if (await users.FindByIdAsync(userId) is not { } user)
        {
            return Outcome<string>.NotFound("No such account.");
        }
        var token = await users.GeneratePasswordResetTokenAsync(user);
        logger.LogWarning("Admin {AdminId} made a password-reset link for account {UserId}", admin.FindFirstValue(ClaimTypes.NameIdentifier), user.Id);
        return token;
    }
}
