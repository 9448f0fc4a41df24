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

public sealed class TeamService(IDbContextFactory<ChallengeDbContext> dbFactory, SqliteWriteGate writes, ILeaderboardNotifier notifier, TimeProvider clock)
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

    // A double click sends two acceptances at once: serialised, the second sees the first.
    public async Task AcceptRulesAsync(int competitionId, string userId, CancellationToken cancellationToken = default) =>
        await dbFactory.RunSerializableAsync(writes, async (db, cancellationToken) =>
        {
            if (!await db.Participations.AnyAsync(p => p.CompetitionId == competitionId && p.UserId == userId, cancellationToken))
            {
                db.Participations.Add(new Participation { CompetitionId = competitionId, UserId = userId, AcceptedRulesAtUtc = clock.GetUtcNow().UtcDateTime });
                await db.SaveChangesAsync(cancellationToken);
                await db.Database.CommitTransactionAsync(cancellationToken);
            }
            return true;
        }, () => false, cancellationToken);

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

        const string conflict = "That name or membership changed meanwhile; try again.";
        return await dbFactory.RunSerializableAsync(writes, async (db, cancellationToken) =>
        {
            var refusal = await CheckCanJoinAsync(db, competitionId, userId, cancellationToken);
            if (refusal is not null)
            {
                return TeamResult.Fail(refusal);
            }
            if (await db.Teams.AnyAsync(t => t.CompetitionId == competitionId && t.Name == name, cancellationToken))
            {
                return TeamResult.Fail($"A team named '{name}' already exists in this challenge.");
            }

            return await AddTeamOfOneAsync(db, competitionId, userId, name, conflict, cancellationToken);
        }, () => TeamResult.Fail(conflict), cancellationToken);
    }

    /// <summary>
    /// The one-person team Kaggle makes on a first submission: named after the person (with a
    /// number when a team already has that name). Returns the person's team when they are in one
    /// already, so two first uploads at once end in the same team.
    /// </summary>
    public async Task<TeamResult> CreateSoloAsync(int competitionId, string userId, CancellationToken cancellationToken = default)
    {
        const string conflict = "Your team changed meanwhile; try again.";
        return await dbFactory.RunSerializableAsync(writes, async (db, cancellationToken) =>
        {
            var existingTeamId = await db.TeamMembers.Where(m => m.CompetitionId == competitionId && m.UserId == userId).Select(m => (int?)m.TeamId).SingleOrDefaultAsync(cancellationToken);
            if (existingTeamId is { } teamId)
            {
                return new TeamResult(await db.Teams.AsNoTracking().SingleAsync(t => t.Id == teamId, cancellationToken), null);
            }
            var refusal = await CheckCanJoinAsync(db, competitionId, userId, cancellationToken);
            if (refusal is not null)
            {
                return TeamResult.Fail(refusal);
            }
            var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == userId, cancellationToken);
            var baseName = SoloTeamName(user.DisplayName, user.Email);
            var taken = await db.Teams.Where(t => t.CompetitionId == competitionId && t.Name.StartsWith(baseName)).Select(t => t.Name).ToListAsync(cancellationToken);
            var name = baseName;
            for (var n = 2; taken.Contains(name); n++)
            {
                name = $"{baseName} ({n})";
            }
            return await AddTeamOfOneAsync(db, competitionId, userId, name, conflict, cancellationToken);
        }, () => TeamResult.Fail(conflict), cancellationToken);
    }

    private async Task<TeamResult> AddTeamOfOneAsync(ChallengeDbContext db, int competitionId, string userId, string name, string conflict, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var team = new Team { CompetitionId = competitionId, Name = name, InviteCode = NewInviteCode(), CreatedAtUtc = now };
        team.Members.Add(new TeamMember { CompetitionId = competitionId, UserId = userId, JoinedAtUtc = now });
        db.Teams.Add(team);
        return await SaveAsync(db, team, conflict, cancellationToken);
    }

    private static string SoloTeamName(string displayName, string? email)
    {
        var name = displayName.Trim();
        if (name.Length == 0 || Files.FileNames.HasInvisible(name))
        {
            name = (email ?? "participant").Split('@')[0];
        }
        // Room for " (99)" within the name limit.
        return name.Length > TeamRules.NameMaxLength - 5 ? name[..(TeamRules.NameMaxLength - 5)] : name;
    }

    public async Task<TeamResult> JoinAsync(int competitionId, string userId, string inviteCode, CancellationToken cancellationToken = default)
    {
        // The size check and the new member are one serialised unit: six people joining a team
        // with one place left must not all see the place free.
        const string conflict = "That team changed meanwhile; try again.";
        var joined = await dbFactory.RunSerializableAsync(writes, async (db, cancellationToken) =>
        {
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
            return await SaveAsync(db, team, "You joined a team meanwhile.", cancellationToken);
        }, () => TeamResult.Fail(conflict), cancellationToken);
        if (joined.Succeeded)
        {
            // The team's leaderboard row lists its members.
            await AnnounceAsync(competitionId, [joined.Team!.Id], cancellationToken);
        }
        return joined;
    }

    // Leaving is allowed until the team's first submission, as on Kaggle: after that, its results
    // belong to its members.
    public async Task<TeamResult> LeaveAsync(int competitionId, string userId, CancellationToken cancellationToken = default)
    {
        // A teammate's submission landing between the check and the removal would otherwise go
        // with the emptied team; serialised, the unit sees it and refuses.
        return await dbFactory.RunSerializableAsync(writes, async (db, cancellationToken) =>
        {
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
            await db.SaveChangesAsync(cancellationToken);
            if (!await db.TeamMembers.AnyAsync(m => m.TeamId == member.TeamId, cancellationToken)
                && await DeleteTeamWithoutSubmissionsAsync(db, member.TeamId, cancellationToken) == 0)
            {
                return TeamResult.Fail("Your team has submitted already, so its members are fixed.");
            }
            await db.Database.CommitTransactionAsync(cancellationToken);
            return new TeamResult(null, null);
        }, () => TeamResult.Fail("Your team changed meanwhile; try again."), cancellationToken);
    }

    // Merges the team with the given invite code into the caller's team. Allowed before the merger
    // deadline when the merged team fits the size limit and, for every task, the two teams'
    // submissions together fit what one team could have submitted since the start.
    public async Task<TeamResult> MergeAsync(int competitionId, string userId, string otherInviteCode, CancellationToken cancellationToken = default)
    {
        // Every check, the move of members, submissions and quotas, and the removal of the emptied
        // team are one serialised unit: two teams merging each other at once used to move each
        // other's submissions outside any transaction, and the team removed last took them all
        // with it. Now one merge wins and the other sees the result (or a retry) instead.
        const string conflict = "The teams changed meanwhile; try again.";
        int? otherId = null;
        var merged = await dbFactory.RunSerializableAsync(writes, async (db, cancellationToken) =>
        {
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
            var quotas = await db.DailyQuotas.Where(q => q.TeamId == other.Id || q.TeamId == own.Id).ToListAsync(cancellationToken);
            foreach (var group in quotas.GroupBy(q => (q.TaskId, q.Day)))
            {
                db.DailyQuotas.RemoveRange(group);
                db.DailyQuotas.Add(new DailyQuota { TeamId = own.Id, TaskId = group.Key.TaskId, Day = group.Key.Day, Used = group.Sum(q => q.Used) });
            }
            db.Audit(competitionId, userId, "team.merged", $"'{other.Name}' merged into '{own.Name}'", now);
            await db.SaveChangesAsync(cancellationToken);
            await db.Submissions.Where(s => s.TeamId == other.Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.TeamId, own.Id), cancellationToken);
            if (await DeleteTeamWithoutSubmissionsAsync(db, other.Id, cancellationToken) == 0)
            {
                return TeamResult.Fail(conflict);
            }
            await db.Database.CommitTransactionAsync(cancellationToken);
            otherId = other.Id;
            return new TeamResult(own, null);
        }, () => TeamResult.Fail(conflict), cancellationToken);
        if (merged.Succeeded)
        {
            // The merged team's row leaves the leaderboards and its submissions count for this one.
            await AnnounceAsync(competitionId, [merged.Team!.Id, otherId!.Value], cancellationToken);
        }
        return merged;
    }

    // A team goes only once nothing of its own is left: the delete of a team row would cascade to
    // its submissions, so the condition is part of the statement and a submission that arrived
    // meanwhile keeps the team (the caller then rolls back).
    private static Task<int> DeleteTeamWithoutSubmissionsAsync(ChallengeDbContext db, int teamId, CancellationToken cancellationToken) =>
        db.Teams.Where(t => t.Id == teamId && !db.Submissions.Any(s => s.TeamId == teamId)).ExecuteDeleteAsync(cancellationToken);

    private async Task AnnounceAsync(int competitionId, IReadOnlyList<int> teamIds, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
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
            await db.Database.CommitTransactionAsync(cancellationToken);
            return new TeamResult(team, null);
        }
        // A serialisation failure is not the caller's conflict to report: the unit runs again.
        catch (DbUpdateException exception) when (!SerializableTransaction.IsSerializationFailure(exception))
        {
            return TeamResult.Fail(conflictMessage);
        }
    }

    private static string NewInviteCode() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
}
