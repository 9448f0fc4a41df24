using System.Security.Cryptography;
using System.Text;
using Challenge.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.ApiTokens;

public sealed record CreatedToken(ApiToken Token, string Secret);

// Personal API tokens for the command-line tool and scripts. The secret is shown once; only its
// SHA-256 is stored, so a database leak does not leak working tokens.
public sealed class ApiTokenService(IDbContextFactory<ChallengeDbContext> dbFactory, TimeProvider clock)
{
    public const string SecretPrefix = "chl_";
    public const int MaxTokensPerUser = 20;

    public async Task<CreatedToken?> CreateAsync(string userId, string name, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
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
        return new CreatedToken(token, secret);
    }

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

    // Returns the owner's user id for a live token.
    public async Task<string?> AuthenticateAsync(string secret, CancellationToken cancellationToken = default)
    {
        if (!secret.StartsWith(SecretPrefix, StringComparison.Ordinal) || secret.Length > 200)
        {
            return null;
        }
        var hash = Hash(secret);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var token = await db.ApiTokens.SingleOrDefaultAsync(t => t.Hash == hash && t.RevokedAtUtc == null, cancellationToken);
        if (token is null)
        {
            return null;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        if (token.LastUsedAtUtc is null || now - token.LastUsedAtUtc > TimeSpan.FromMinutes(1))
        {
            token.LastUsedAtUtc = now;
            await db.SaveChangesAsync(cancellationToken);
        }
        return token.UserId;
    }

    private static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
