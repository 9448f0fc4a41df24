using System.Security.Claims;
using Challenge.Core.Challenges;
using Challenge.Core.Data;
using Challenge.Core.Leaderboards;
using Challenge.Core.Submissions;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Teams;

/// <summary>One task of a challenge as the team stands in it: public rank among ranked teams, best public score, quota left today.</summary>
public sealed record MyTaskStanding(string TaskSlug, string TaskTitle, int? Rank, int RankedTeams, double? Score, QuotaStatus Quota);

public sealed record MyTeamRow(
    string ChallengeSlug, string ChallengeTitle, CompetitionPhase Phase, string Team, IReadOnlyList<string> Members,
    string? DisqualificationReason, IReadOnlyList<MyTaskStanding> Tasks);

/// <summary>Every team the signed-in person belongs to, across challenges, with where the team stands.</summary>
public sealed class MyTeams(IDbContextFactory<ChallengeDbContext> dbFactory, LeaderboardService leaderboards, SubmissionService submissions, TimeProvider clock)
{
    public async Task<IReadOnlyList<MyTeamRow>> ListAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        if (user.UserId() is not { } userId)
        {
            return [];
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var memberships = await db.TeamMembers.AsNoTracking().Where(m => m.UserId == userId)
            .Join(db.Teams, m => m.TeamId, t => t.Id, (m, t) => t)
            .Join(db.Competitions, t => t.CompetitionId, c => c.Id, (t, c) => new { Team = t, Challenge = c })
            .OrderByDescending(x => x.Challenge.EndsAtUtc)
            .ToListAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var rows = new List<MyTeamRow>();
        foreach (var (team, challenge) in memberships.Select(x => (x.Team, x.Challenge)))
        {
            var members = await db.TeamMembers.Where(m => m.TeamId == team.Id).OrderBy(m => m.JoinedAtUtc)
                .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => u.DisplayName).ToListAsync(cancellationToken);
            var standings = new List<MyTaskStanding>();
            foreach (var task in await db.Tasks.AsNoTracking().Where(t => t.CompetitionId == challenge.Id).OrderBy(t => t.SortOrder).ThenBy(t => t.Id).ToListAsync(cancellationToken))
            {
                var board = await leaderboards.GetAsync(task.Id, LeaderboardKind.Public, cancellationToken);
                var mine = board.Rows.FirstOrDefault(r => r.TeamId == team.Id);
                standings.Add(new MyTaskStanding(task.Slug, task.Title, mine?.Rank, board.Rows.Count(r => r.Rank is not null), mine?.Score,
                    await submissions.GetQuotaAsync(team.Id, task.Id, cancellationToken)));
            }
            rows.Add(new MyTeamRow(challenge.Slug, challenge.Title, challenge.PhaseAt(now), team.Name, members,
                team.DisqualifiedAtUtc is null ? null : team.DisqualificationReason ?? "", standings));
        }
        return rows;
    }
}
