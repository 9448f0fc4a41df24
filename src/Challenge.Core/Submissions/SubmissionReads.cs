using System.Security.Claims;
using Challenge.Core.Access;
using Challenge.Core.Challenges;
using Challenge.Core.Data;
using Challenge.Core.Outcomes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Submissions;

/// <summary>A submission as its reader may see it: private scores only once the private board may be seen.</summary>
public sealed record SubmissionView(Submission Submission, string TaskSlug, bool PrivateVisible);

/// <summary>Reads of submissions for teams and organizers; each checks <see cref="AccessRules.ReadSubmission"/> itself.</summary>
public sealed class SubmissionReads(IDbContextFactory<ChallengeDbContext> dbFactory, IAuthorizationService authorization)
{
    /// <summary>One submission; another team's answers exactly like a missing one, so ids reveal nothing.</summary>
    public async Task<Outcome<SubmissionView>> GetAsync(long id, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var submission = await db.Submissions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (submission is null || !await authorization.AllowsAsync(user, submission, AccessRules.ReadSubmission))
        {
            return Outcome<SubmissionView>.NotFound($"No submission {id}.");
        }
        var challenge = await db.Competitions.AsNoTracking().SingleAsync(c => c.Id == submission.CompetitionId, cancellationToken);
        if (!submission.IsBaseline && !await authorization.AllowsAsync(user, challenge, AccessRules.ManageChallenge))
        {
            await TeamLadder.ApplyAsync(db, [submission], cancellationToken);
        }
        var taskSlug = await db.Tasks.Where(t => t.Id == submission.TaskId).Select(t => t.Slug).SingleAsync(cancellationToken);
        return new SubmissionView(submission, taskSlug, challenge.IsPrivateRevealed);
    }

    /// <summary>The submissions of <paramref name="user"/>'s team in a challenge, newest first; none when not in a team.</summary>
    public async Task<IReadOnlyList<SubmissionView>> ListMineAsync(Competition challenge, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        var userId = user.UserId();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var teamId = await db.TeamMembers.Where(m => m.CompetitionId == challenge.Id && m.UserId == userId).Select(m => (int?)m.TeamId).SingleOrDefaultAsync(cancellationToken);
        if (teamId is null)
        {
            return [];
        }
        var taskSlugs = await db.Tasks.Where(t => t.CompetitionId == challenge.Id).ToDictionaryAsync(t => t.Id, t => t.Slug, cancellationToken);
        var mine = await db.Submissions.AsNoTracking().Where(s => s.TeamId == teamId).OrderByDescending(s => s.Id).ToListAsync(cancellationToken);
        await TeamLadder.ApplyAsync(db, mine, cancellationToken);
        return mine.Select(s => new SubmissionView(s, taskSlugs[s.TaskId], challenge.IsPrivateRevealed)).ToList();
    }
}
