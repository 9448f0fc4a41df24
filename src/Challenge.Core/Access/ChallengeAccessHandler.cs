using System.Security.Claims;
using Challenge.Core.Accounts;
using Challenge.Core.Challenges;
using Challenge.Core.Data;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Access;

/// <summary>Decides the rules whose resource is a challenge.</summary>
public sealed class ChallengeAccessHandler(IDbContextFactory<ChallengeDbContext> dbFactory, ChallengeManagers managers, TimeProvider clock) : AuthorizationHandler<AccessRule, Competition>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, AccessRule rule, Competition challenge)
    {
        var allowed = rule == AccessRules.ManageChallenge
            ? await CanManageAsync(challenge, context.User)
            : rule == AccessRules.SeePrivateBoard
                ? challenge.IsPrivateRevealed || await CanManageAsync(challenge, context.User)
                : rule == AccessRules.SeeGold
                    ? await CanManageAsync(challenge, context.User) || (clock.GetUtcNow().UtcDateTime >= challenge.EndsAtUtc && await MayDownloadAsync(challenge, context.User))
                    : rule == AccessRules.DownloadData && await MayDownloadAsync(challenge, context.User);
        if (allowed)
        {
            context.Succeed(rule);
        }
    }

    private Task<bool> CanManageAsync(Competition challenge, ClaimsPrincipal user) => managers.IsManagerAsync(challenge, user);

    private async Task<bool> MayDownloadAsync(Competition challenge, ClaimsPrincipal user)
    {
        var userId = user.UserId();
        if (userId is null)
        {
            return false;
        }
        await using var db = await dbFactory.CreateDbContextAsync();
        return await db.Participations.AnyAsync(p => p.CompetitionId == challenge.Id && p.UserId == userId)
            || await CanManageAsync(challenge, user);
    }
}

/// <summary>Who manages a challenge: admins, its owner and its co-organizers, all holding the Organizer role.</summary>
public sealed class ChallengeManagers(IDbContextFactory<ChallengeDbContext> dbFactory)
{
    public async Task<bool> IsManagerAsync(Competition challenge, ClaimsPrincipal user)
    {
        if (user.IsInRole(Roles.Admin))
        {
            return true;
        }
        var userId = user.UserId();
        if (userId is null || !user.IsInRole(Roles.Organizer))
        {
            return false;
        }
        if (challenge.OwnerId == userId)
        {
            return true;
        }
        await using var db = await dbFactory.CreateDbContextAsync();
        return await db.CompetitionOrganizers.AnyAsync(o => o.CompetitionId == challenge.Id && o.UserId == userId);
    }
}
