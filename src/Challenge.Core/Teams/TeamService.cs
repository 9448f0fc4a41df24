using System.Security.Cryptography;
using Challenge.Core.Audit;
using Challenge.Core.Challenges;
using Challenge.Core.Data;
using Challenge.Core.Leaderboards;
using Challenge.Core.Submissions;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Teams;

public sealed record TeamResult(Team? Team, string? Error)
{
    public bool Succeeded => Error is null;

    public static TeamResult Fail(string error) => new(null, error);
}

public sealed record Membership(bool AcceptedRules, Team? Team, IReadOnlyList<TeamMemberView> Members, int SubmissionCount);

public sealed record TeamMemberView(string UserId, string DisplayName, DateTime JoinedAtUtc);

public sealed class TeamService(IDbContextFactory<ChallengeDbContext> dbFactory, ILeaderboardNotifier notifier, TimeProvider clock)
{
    public async Task<Membership> GetMembershipAsync(int competitionId, string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var accepted = await db.Participations.AnyAsync(p => p.CompetitionId == competitionId && p.UserId == userId, cancellationToken);
        var teamId = await db.TeamMembers.Where(m => m.CompetitionId == competitionId && m.UserId == userId)
            .Select(m => (int?)m.TeamId).SingleOrDefaultAsync(cancellationToken);
        if (teamId is null)
        {
            return new Membership(accepted, null, [], 0);
        }
        var team = await db.Teams.AsNoTracking().SingleAsync(t => t.Id == teamId, cancellationToken);
        var members = await MembersAsync(db, team.Id, cancellationToken);
        var submissions = await db.Submissions.CountAsync(s => s.TeamId == team.Id, cancellationToken);
        return new Membership(accepted, team, members, submissions);
    }

    public async Task AcceptRulesAsync(int competitionId, string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.Participations.AnyAsync(p => p.CompetitionId == competitionId && p.UserId == userId, cancellationToken))
        {
            db.Participations.Add(new Participation { CompetitionId = competitionId, UserId = userId, AcceptedRulesAtUtc = clock.GetUtcNow().UtcDateTime });
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    public async Task<TeamResult> CreateAsync(int competitionId, string userId, string name, CancellationToken cancellationToken = default)
    {
        name = name.Trim();
        if (name.Length == 0 || name.Length > TeamRules.NameMaxLength)
        {
            return TeamResult.Fail($"A team name has 1 to {TeamRules.NameMaxLength} characters.");
        }
        if (Files.FileNames.HasInvisible(name))
        {
            return TeamResult.Fail(TeamRules.InvisibleCharactersMessage);
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var refusal = await CheckCanJoinAsync(db, competitionId, userId, cancellationToken);
        if (refusal is not null)
        {
            return TeamResult.Fail(refusal);
        }
        if (await db.Teams.AnyAsync(t => t.CompetitionId == competitionId && t.Name == name, cancellationToken))
        {
            return TeamResult.Fail($"A team named '{name}' already exists in this challenge.");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var team = new Team { CompetitionId = competitionId, Name = name, InviteCode = NewInviteCode(), CreatedAtUtc = now };
        team.Members.Add(new TeamMember { CompetitionId = competitionId, UserId = userId, JoinedAtUtc = now });
        db.Teams.Add(team);
        return await SaveAsync(db, team, "That name or membership changed meanwhile; try again.", cancellationToken);
    }

    public async Task<TeamResult> JoinAsync(int competitionId, string userId, string inviteCode, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var refusal = await CheckCanJoinAsync(db, competitionId, userId, cancellationToken);
        if (refusal is not null)
        {
            return TeamResult.Fail(refusal);
        }
        var code = inviteCode.Trim();
        var team = await db.Teams.Include(t => t.Members).SingleOrDefaultAsync(t => t.CompetitionId == competitionId && t.InviteCode == code, cancellationToken);
        if (team is null || team.IsBaseline)
        {
            return TeamResult.Fail("No team of this challenge has that invite code.");
        }
        if (team.DisqualifiedAtUtc is not null)
        {
            return TeamResult.Fail("That team was disqualified.");
        }
        var competition = await db.Competitions.SingleAsync(c => c.Id == competitionId, cancellationToken);
        if (team.Members.Count >= competition.MaxTeamSize)
        {
            return TeamResult.Fail($"That team is full: at most {competition.MaxTeamSize} members.");
        }
        team.Members.Add(new TeamMember { CompetitionId = competitionId, UserId = userId, JoinedAtUtc = clock.GetUtcNow().UtcDateTime });
        var joined = await SaveAsync(db, team, "You joined a team meanwhile.", cancellationToken);
        if (joined.Succeeded)
        {
            // The team's leaderboard row lists its members.
            await AnnounceAsync(db, competitionId, [team.Id], cancellationToken);
        }
        return joined;
    }

    // Leaving is allowed until the team's first submission, as on Kaggle: after that, its results
    // belong to its members.
    public async Task<TeamResult> LeaveAsync(int competitionId, string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await db.TeamMembers.SingleOrDefaultAsync(m => m.CompetitionId == competitionId && m.UserId == userId, cancellationToken);
        if (member is null)
        {
            return TeamResult.Fail("You are not in a team of this challenge.");
        }
        if (await db.Submissions.AnyAsync(s => s.TeamId == member.TeamId, cancellationToken))
        {
            return TeamResult.Fail("Your team has submitted already, so its members are fixed.");
        }
        db.TeamMembers.Remove(member);
        if (!await db.TeamMembers.AnyAsync(m => m.TeamId == member.TeamId && m.UserId != userId, cancellationToken))
        {
            db.Teams.Remove(await db.Teams.SingleAsync(t => t.Id == member.TeamId, cancellationToken));
        }
        await db.SaveChangesAsync(cancellationToken);
        return new TeamResult(null, null);
    }

    // Merges the team with the given invite code into the caller's team. Allowed before the merger
    // deadline when the merged team fits the size limit and, for every task, the two teams'
    // submissions together fit what one team could have submitted since the start.
    public async Task<TeamResult> MergeAsync(int competitionId, string userId, string otherInviteCode, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var competition = await db.Competitions.SingleAsync(c => c.Id == competitionId, cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        if (now >= competition.MergerDeadlineUtc)
        {
            return TeamResult.Fail($"The team-merger deadline ({competition.MergerDeadlineUtc:yyyy-MM-dd HH:mm} UTC) has passed.");
        }
        var ownTeamId = await db.TeamMembers.Where(m => m.CompetitionId == competitionId && m.UserId == userId).Select(m => (int?)m.TeamId).SingleOrDefaultAsync(cancellationToken);
        if (ownTeamId is null)
        {
            return TeamResult.Fail("You are not in a team of this challenge.");
        }
        var code = otherInviteCode.Trim();
        var other = await db.Teams.Include(t => t.Members).SingleOrDefaultAsync(t => t.CompetitionId == competitionId && t.InviteCode == code, cancellationToken);
        if (other is null || other.IsBaseline || other.Id == ownTeamId)
        {
            return TeamResult.Fail("No other team of this challenge has that invite code.");
        }
        var own = await db.Teams.Include(t => t.Members).SingleAsync(t => t.Id == ownTeamId, cancellationToken);
        if (own.DisqualifiedAtUtc is not null || other.DisqualifiedAtUtc is not null)
        {
            return TeamResult.Fail("A disqualified team cannot merge.");
        }
        if (own.Members.Count + other.Members.Count > competition.MaxTeamSize)
        {
            return TeamResult.Fail($"The merged team would have {own.Members.Count + other.Members.Count} members; the limit is {competition.MaxTeamSize}.");
        }

        var daysSoFar = Math.Max(1, (int)Math.Ceiling((now - competition.StartsAtUtc).TotalDays));
        var allowance = competition.DailySubmissionLimit * daysSoFar;
        var perTask = await db.Submissions.Where(s => (s.TeamId == own.Id || s.TeamId == other.Id) && s.CountsAgainstQuota)
            .GroupBy(s => s.TaskId).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        if (perTask.FirstOrDefault(t => t.Count > allowance) is { } over)
        {
            return TeamResult.Fail($"Together the teams made {over.Count} submissions to one task; a single team could have made at most {allowance} so far.");
        }

        foreach (var member in other.Members.ToList())
        {
            db.TeamMembers.Remove(member);
            own.Members.Add(new TeamMember { CompetitionId = competitionId, UserId = member.UserId, JoinedAtUtc = now });
        }
        await db.Submissions.Where(s => s.TeamId == other.Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.TeamId, own.Id), cancellationToken);
        var quotas = await db.DailyQuotas.Where(q => q.TeamId == other.Id || q.TeamId == own.Id).ToListAsync(cancellationToken);
        foreach (var group in quotas.GroupBy(q => (q.TaskId, q.Day)))
        {
            db.DailyQuotas.RemoveRange(group);
            db.DailyQuotas.Add(new DailyQuota { TeamId = own.Id, TaskId = group.Key.TaskId, Day = group.Key.Day, Used = group.Sum(q => q.Used) });
        }
        db.Teams.Remove(other);
        db.Audit(competitionId, userId, "team.merged", $"'{other.Name}' merged into '{own.Name}'", now);
        var merged = await SaveAsync(db, own, "The teams changed meanwhile; try again.", cancellationToken);
        if (merged.Succeeded)
        {
            // The merged team's row leaves the leaderboards and its submissions count for this one.
            await AnnounceAsync(db, competitionId, [own.Id, other.Id], cancellationToken);
        }
        return merged;
    }

    private async Task AnnounceAsync(ChallengeDbContext db, int competitionId, IReadOnlyList<int> teamIds, CancellationToken cancellationToken)
    {
        foreach (var taskId in await db.Tasks.Where(t => t.CompetitionId == competitionId).Select(t => t.Id).ToListAsync(cancellationToken))
        {
            foreach (var teamId in teamIds)
            {
                notifier.Publish(new LeaderboardChange(competitionId, taskId, teamId));
            }
        }
    }

    public static async Task<IReadOnlyList<TeamMemberView>> MembersAsync(ChallengeDbContext db, int teamId, CancellationToken cancellationToken) =>
        await db.TeamMembers.Where(m => m.TeamId == teamId)
            .OrderBy(m => m.JoinedAtUtc)
            .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => new TeamMemberView(u.Id, u.DisplayName, m.JoinedAtUtc))
            .ToListAsync(cancellationToken);

    private static async Task<string?> CheckCanJoinAsync(ChallengeDbContext db, int competitionId, string userId, CancellationToken cancellationToken)
    {
        if (!await db.Participations.AnyAsync(p => p.CompetitionId == competitionId && p.UserId == userId, cancellationToken))
        {
            return "Accept the challenge's rules first.";
        }
        if (await db.TeamMembers.AnyAsync(m => m.CompetitionId == competitionId && m.UserId == userId, cancellationToken))
        {
            return "You are already in a team of this challenge.";
        }
        return null;
    }

    private static async Task<TeamResult> SaveAsync(ChallengeDbContext db, Team team, string conflictMessage, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return new TeamResult(team, null);
        }
        catch (DbUpdateException)
        {
            return TeamResult.Fail(conflictMessage);
        }
    }

    private static string NewInviteCode() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
}
