using System.Security.Cryptography;
using System.Text;
using Challenge.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Challenge.Core.ApiTokens;

public sealed record CreatedToken(ApiToken Token, string Secret);

// The account's lockout is not part of it: lockout pauses password sign-in after failed guesses,
// which anyone can make, and must not let a stranger cut a team's scripts off before a deadline.
public sealed record TokenOwner(string UserId, string UserName, IReadOnlyList<string> Roles);

// Personal API tokens for the command-line tool and scripts. The secret is shown once; only its
// SHA-256 is stored, so a database leak does not leak working tokens.
public sealed class ApiTokenService(IDbContextFactory<ChallengeDbContext> dbFactory, SqliteWriteGate writes, TimeProvider clock, ILogger<ApiTokenService> logger)
{
    public const string SecretPrefix = "chl_";
    public const int MaxTokensPerUser = 20;

    // The count and the new token are one serialised unit, so parallel requests cannot pass the limit.
    public async Task<CreatedToken?> CreateAsync(string userId, string name, CancellationToken cancellationToken = default) =>
        await dbFactory.RunSerializableAsync(writes, async (db, cancellationToken) =>
        {
            if (await db.ApiTokens.CountAsync(t => t.UserId == userId && t.RevokedAtUtc == null, cancellationToken) >= MaxTokensPerUser)
            {
                return null;
            }
            var secret = SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).Replace('+', '-').Replace('/', '_').TrimEnd('=');
            var token = new ApiToken
            {
                UserId = userId,
                Name = string.IsNullOrWhiteSpace(name) ? "token" : name.Trim()[..Math.Min(64, name.Trim().Length)],
                Prefix = secret[..10],
                Hash = Hash(secret),
                CreatedAtUtc = clock.GetUtcNow().UtcDateTime,
            };
            db.ApiTokens.Add(token);
            await db.SaveChangesAsync(cancellationToken);
            await db.Database.CommitTransactionAsync(cancellationToken);
            return new CreatedToken(token, secret);
        }, () => (CreatedToken?)null, cancellationToken);

    public async Task<IReadOnlyList<ApiToken>> ListAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.ApiTokens.AsNoTracking().Where(t => t.UserId == userId).OrderByDescending(t => t.CreatedAtUtc).ToListAsync(cancellationToken);
    }

    public async Task<bool> RevokeAsync(string userId, int tokenId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.ApiTokens.Where(t => t.Id == tokenId && t.UserId == userId && t.RevokedAtUtc == null)
            .ExecuteUpdateAsync(t => t.SetProperty(x => x.RevokedAtUtc, clock.GetUtcNow().UtcDateTime), cancellationToken) == 1;
    }

    // The owner of a live token, with what a sign-in needs, read in one query: every API call
    // authenticates, so this sits on the path of every upload and status poll.
    public async Task<TokenOwner?> AuthenticateAsync(string secret, CancellationToken cancellationToken = default)
    {
        if (!secret.StartsWith(SecretPrefix, StringComparison.Ordinal) || secret.Length > 200)
        {
            return null;
        }
        var hash = Hash(secret);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var found = await db.ApiTokens.AsNoTracking()
            .Where(t => t.Hash == hash && t.RevokedAtUtc == null)
            .Join(db.Users, t => t.UserId, u => u.Id, (t, u) => new
            {
                TokenId = t.Id,
                t.LastUsedAtUtc,
                UserId = u.Id,
                u.UserName,
                Roles = db.UserRoles.Where(r => r.UserId == u.Id).Join(db.Roles, r => r.RoleId, role => role.Id, (_, role) => role.Name).ToList(),
            })
            .SingleOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return null;
        }
        var now = clock.GetUtcNow();
        if (found.LastUsedAtUtc is null || now.UtcDateTime - found.LastUsedAtUtc > TimeSpan.FromMinutes(1))
        {
            // Informational, so the request does not wait for a write turn to record it.
            _ = StampLastUsedAsync(found.TokenId, now.UtcDateTime);
        }
        return new TokenOwner(found.UserId, found.UserName ?? found.UserId, [.. found.Roles.OfType<string>()]);
    }

    private async Task StampLastUsedAsync(int tokenId, DateTime usedAtUtc)
    {
        try
        {
            using var turn = await writes.EnterAsync();
            await using var db = await dbFactory.CreateDbContextAsync();
            await db.ApiTokens.Where(t => t.Id == tokenId && (t.LastUsedAtUtc == null || t.LastUsedAtUtc < usedAtUtc))
                .ExecuteUpdateAsync(t => t.SetProperty(x => x.LastUsedAtUtc, usedAtUtc));
        }
        catch (Exception exception)
        {
            logger.LogWarning(exception, "Could not record when API token {TokenId} was last used", tokenId);
        }
    }

    private static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
