using Challenge.Core.Challenges;
using Challenge.Core.Data;
using Challenge.Core.Submissions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Access;

/// <summary>Decides who may read a submission: its team's members and the challenge's managers.</summary>
public sealed class SubmissionAccessHandler(IDbContextFactory<ChallengeDbContext> dbFactory, ChallengeManagers managers)
    : AuthorizationHandler<AccessRule, Submission>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, AccessRule rule, Submission submission)
    {
        if (rule != AccessRules.ReadSubmission || context.User.UserId() is not { } userId)
        {
            return;
        }
        await using var db = await dbFactory.CreateDbContextAsync();
        if (await db.TeamMembers.AnyAsync(m => m.TeamId == submission.TeamId && m.UserId == userId))
        {
            context.Succeed(rule);
            return;
        }
        var challenge = await db.Competitions.AsNoTracking().SingleAsync(c => c.Id == submission.CompetitionId);
        if (await managers.IsManagerAsync(challenge, context.User))
        {
            context.Succeed(rule);
        }
    }
}
