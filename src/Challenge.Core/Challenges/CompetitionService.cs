using Challenge.Core.Access;
using System.Security.Claims;
using Challenge.Core.Accounts;
using Challenge.Core.Data;
using Challenge.Core.Audit;
using Challenge.Core.Outcomes;
using Challenge.Core.Scheduling;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Challenges;

public sealed class CompetitionService(IDbContextFactory<ChallengeDbContext> dbFactory, SqliteWriteGate writes, DeadlineScheduler deadlines, TimeProvider clock, IAuthorizationService authorization, Leaderboards.ILeaderboardNotifier notifier)
{
    public async Task<IReadOnlyList<Competition>> ListPublishedAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Competitions.AsNoTracking()
            .Where(c => c.Status == CompetitionStatus.Published)
            .OrderByDescending(c => c.StartsAtUtc).ThenBy(c => c.Title)
            .ToListAsync(cancellationToken);
    }

    // Admins see every challenge; organizers the ones they own.
    public async Task<IReadOnlyList<Competition>> ListManageableAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.Competitions.AsNoTracking();
        if (!user.IsInRole(Roles.Admin))
        {
            var userId = user.UserId();
            query = query.Where(c => (c.OwnerId != null && c.OwnerId == userId) || db.CompetitionOrganizers.Any(o => o.CompetitionId == c.Id && o.UserId == userId));
        }
        return await query.OrderByDescending(c => c.UpdatedAtUtc).ToListAsync(cancellationToken);
    }

    // A draft is visible only to those who may manage it, so its slug does not leak to others.
    public async Task<Competition?> FindVisibleAsync(string slug, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        var competition = await FindBySlugAsync(slug, cancellationToken);
        return competition is not null && (competition.IsPublished || await CanManageAsync(competition, user, cancellationToken)) ? competition : null;
    }

    public async Task<Competition?> FindManageableAsync(string slug, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        var competition = await FindBySlugAsync(slug, cancellationToken);
        return competition is not null && await CanManageAsync(competition, user, cancellationToken) ? competition : null;
    }

    public static bool CanCreate(ClaimsPrincipal user) => user.IsInRole(Roles.Admin) || user.IsInRole(Roles.Organizer);

    private Task<bool> CanManageAsync(Competition competition, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        authorization.AllowsAsync(user, competition, AccessRules.ManageChallenge);

    public async Task<SaveResult> CreateAsync(CompetitionInput input, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        if (!CanCreate(user))
        {
            return SaveResult.Failed("", "Only organizers can create challenges.");
        }

        var errors = Validate(input);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var slug = Normalize(input.Slug);
        if (!errors.ContainsKey(nameof(CompetitionInput.Slug)) && await db.Competitions.AnyAsync(c => c.Slug == slug, cancellationToken))
        {
            errors[nameof(CompetitionInput.Slug)] = $"The slug '{slug}' is already used by another challenge.";
        }
        if (errors.Count > 0)
        {
            return new SaveResult(null, errors);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var competition = new Competition
        {
            Slug = slug,
            Title = input.Title.Trim(),
            OwnerId = user.UserId(),
            CreatedAtUtc = now,
        };
        Apply(input, competition, now);
        db.Competitions.Add(competition);
        var created = await SaveAsync(db, competition, slug, cancellationToken);
        if (created.Succeeded)
        {
            // The entry needs the new challenge's id, so it follows the first save.
            db.Audit(competition.Id, user.UserId(), "challenge.created", $"'{competition.Title}' as a {(competition.IsPublished ? "published challenge" : "draft")}", now);
            await db.SaveChangesAsync(cancellationToken);
        }
        return created;
    }

    public async Task<SaveResult> UpdateAsync(int id, CompetitionInput input, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var competition = await db.Competitions.SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (competition is null || !await authorization.AllowsAsync(user, competition, AccessRules.ManageChallenge))
        {
            return SaveResult.Failed("", "This challenge does not exist or you may not edit it.");
        }

        var errors = Validate(input);
        var slug = Normalize(input.Slug);
        if (!errors.ContainsKey(nameof(CompetitionInput.Slug))
            && await db.Competitions.AnyAsync(c => c.Slug == slug && c.Id != id, cancellationToken))
        {
            errors[nameof(CompetitionInput.Slug)] = $"The slug '{slug}' is already used by another challenge.";
        }
        if (errors.Count > 0)
        {
            return new SaveResult(null, errors);
        }

        var before = CompetitionInput.From(competition);
        competition.Slug = slug;
        var now = clock.GetUtcNow().UtcDateTime;
        Apply(input, competition, now);
        var changed = ChangedFields(before, CompetitionInput.From(competition));
        if (before.Published != competition.IsPublished)
        {
            db.Audit(competition.Id, user.UserId(), competition.IsPublished ? "challenge.published" : "challenge.unpublished",
                competition.IsPublished ? "Visible to everyone." : "Back to a draft: visible to its organizers only.", now);
        }
        if (changed.Count > 0)
        {
            db.Audit(competition.Id, user.UserId(), "challenge.updated", string.Join("; ", changed), now);
        }
        if (competition.PrivateRevealedAtUtc is not null && competition.EndsAtUtc > now)
        {
            // Reopened: the private board goes back into hiding, and the deadline reveals it again.
            competition.PrivateRevealedAtUtc = null;
            db.Audit(competition.Id, user.UserId(), "private.hidden", $"The end moved to {competition.EndsAtUtc:yyyy-MM-dd HH:mm} UTC: the private leaderboard is hidden again until then.", now);
        }
        return await SaveAsync(db, competition, slug, cancellationToken);
    }

    // What an edit changed, for the audit log: limits and dates with their old and new values,
    // pages by name only (their text can be long).
    private static List<string> ChangedFields(CompetitionInput before, CompetitionInput after)
    {
        var changes = new List<string>();
        void Compare<T>(string label, T old, T now, bool showValues = true)
        {
            if (!EqualityComparer<T>.Default.Equals(old, now))
            {
                changes.Add(showValues ? $"{label}: {Format(old)} → {Format(now)}" : $"{label} edited");
            }
        }
        static string Format(object? value) => value switch
        {
            null => "none",
            DateTime time => time.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture),
            bool yes => yes ? "yes" : "no",
            _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
        };
        Compare("slug", before.Slug, after.Slug);
        Compare("title", before.Title, after.Title);
        Compare("subtitle", before.Subtitle, after.Subtitle, showValues: false);
        Compare("start", before.StartsAtUtc, after.StartsAtUtc);
        Compare("end", before.EndsAtUtc, after.EndsAtUtc);
        Compare("merger deadline", before.TeamMergerDeadlineUtc, after.TeamMergerDeadlineUtc);
        Compare("daily limit", before.DailySubmissionLimit, after.DailySubmissionLimit);
        Compare("final selections", before.MaxFinalSelections, after.MaxFinalSelections);
        Compare("team size", before.MaxTeamSize, after.MaxTeamSize);
        Compare("rejected files count", before.RejectedSubmissionsCount, after.RejectedSubmissionsCount);
        Compare("overview", before.OverviewMarkdown, after.OverviewMarkdown, showValues: false);
        Compare("data page", before.DataMarkdown, after.DataMarkdown, showValues: false);
        Compare("evaluation page", before.EvaluationMarkdown, after.EvaluationMarkdown, showValues: false);
        Compare("rules page", before.RulesMarkdown, after.RulesMarkdown, showValues: false);
        return changes;
    }

    public async Task<IReadOnlyList<(string UserId, string DisplayName, string? Email)>> ListCoOrganizersAsync(int competitionId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return (await db.CompetitionOrganizers.Where(o => o.CompetitionId == competitionId)
                .Join(db.Users, o => o.UserId, u => u.Id, (o, u) => new { u.Id, u.DisplayName, u.Email })
                .ToListAsync(cancellationToken))
            .Select(u => (u.Id, u.DisplayName, u.Email)).ToList();
    }

    // Co-organizers manage the challenge like its owner; they must already hold the Organizer role,
    // which only an admin grants.
    public async Task<string?> AddCoOrganizerAsync(int competitionId, string email, ClaimsPrincipal user, CancellationToken cancellationToken = default) =>
        // The checks and the new link are one serialised unit: two organizers adding the same
        // person at once, or adding while someone else removes, see each other's outcome.
        await dbFactory.RunSerializableAsync(writes, async (db, cancellationToken) =>
        {
            var competition = await db.Competitions.SingleOrDefaultAsync(c => c.Id == competitionId, cancellationToken);
            if (competition is null || !await authorization.AllowsAsync(user, competition, AccessRules.ManageChallenge))
            {
                return "You may not manage this challenge.";
            }
            var normalized = email.Trim().ToUpperInvariant();
            var candidate = await db.Users.SingleOrDefaultAsync(u => u.NormalizedEmail == normalized, cancellationToken);
            if (candidate is null)
            {
                return $"No account uses '{email.Trim()}'.";
            }
            var organizerRoleId = await db.Roles.Where(r => r.Name == Roles.Organizer).Select(r => r.Id).SingleAsync(cancellationToken);
            if (!await db.UserRoles.AnyAsync(r => r.UserId == candidate.Id && r.RoleId == organizerRoleId, cancellationToken))
            {
                return $"{candidate.DisplayName} is not an organizer yet: an admin grants that role on the Admin page.";
            }
            if (candidate.Id == competition.OwnerId || await db.CompetitionOrganizers.AnyAsync(o => o.CompetitionId == competitionId && o.UserId == candidate.Id, cancellationToken))
            {
                return $"{candidate.DisplayName} already organizes this challenge.";
            }
            db.CompetitionOrganizers.Add(new CompetitionOrganizer { CompetitionId = competitionId, UserId = candidate.Id });
            db.Audit(competitionId, user.UserId(), "organizer.added", candidate.Email ?? candidate.Id, clock.GetUtcNow().UtcDateTime);
            await db.SaveChangesAsync(cancellationToken);
            await db.Database.CommitTransactionAsync(cancellationToken);
            return (string?)null;
        }, () => "The organizers changed meanwhile; try again.", cancellationToken);

    // Serialised too: two co-organizers removing each other at once would otherwise both pass the
    // check while each still organized, and the second removal would fail on a row already gone.
    public async Task<bool> RemoveCoOrganizerAsync(int competitionId, string organizerId, ClaimsPrincipal user, CancellationToken cancellationToken = default) =>
        await dbFactory.RunSerializableAsync(writes, async (db, cancellationToken) =>
        {
            var competition = await db.Competitions.SingleOrDefaultAsync(c => c.Id == competitionId, cancellationToken);
            var link = await db.CompetitionOrganizers.SingleOrDefaultAsync(o => o.CompetitionId == competitionId && o.UserId == organizerId, cancellationToken);
            if (competition is null || link is null || !await authorization.AllowsAsync(user, competition, AccessRules.ManageChallenge))
            {
                return false;
            }
            db.CompetitionOrganizers.Remove(link);
            db.Audit(competitionId, user.UserId(), "organizer.removed", organizerId, clock.GetUtcNow().UtcDateTime);
            await db.SaveChangesAsync(cancellationToken);
            await db.Database.CommitTransactionAsync(cancellationToken);
            return true;
        }, () => false, cancellationToken);

    /// <summary>Publishes a draft, or takes a published challenge back to a draft (its pages then answer 404 to participants).</summary>
    public async Task<Outcome<Competition>> SetPublishedAsync(int id, bool published, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var competition = await db.Competitions.SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (competition is null || !await authorization.AllowsAsync(user, competition, AccessRules.ManageChallenge))
        {
            return Outcome<Competition>.NotFound("This challenge does not exist or you may not manage it.");
        }
        var now = clock.GetUtcNow().UtcDateTime;
        competition.Status = published ? CompetitionStatus.Published : CompetitionStatus.Draft;
        competition.UpdatedAtUtc = now;
        db.Audit(id, user.UserId(), published ? "challenge.published" : "challenge.unpublished",
            published ? "Visible to everyone." : "Back to a draft: visible to its organizers only.", now);
        await db.SaveChangesAsync(cancellationToken);
        await deadlines.ScheduleAsync(competition, cancellationToken);
        return competition;
    }

    /// <summary>
    /// Makes the private leaderboard public now rather than waiting for the deadline job. Only after
    /// the end: a reveal holds for the end it followed (see <see cref="Competition.IsPrivateRevealed"/>),
    /// so to reveal earlier an organizer first moves the end to now.
    /// </summary>
    public async Task<Outcome<Competition>> RevealAsync(int id, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var competition = await db.Competitions.SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (competition is null || !await authorization.AllowsAsync(user, competition, AccessRules.ManageChallenge))
        {
            return Outcome<Competition>.NotFound("This challenge does not exist or you may not manage it.");
        }
        var now = clock.GetUtcNow().UtcDateTime;
        if (competition.EndsAtUtc > now)
        {
            return Outcome<Competition>.Conflict($"The challenge runs until {competition.EndsAtUtc:yyyy-MM-dd HH:mm} UTC; the private leaderboard is revealed after the end. Move the end to now first to reveal it earlier.");
        }
        if (!competition.IsPrivateRevealed)
        {
            competition.PrivateRevealedAtUtc = now;
            db.Audit(id, user.UserId(), "private.revealed", "An organizer revealed the private leaderboard.", now);
            await db.SaveChangesAsync(cancellationToken);
            // As the deadline's reveal does: open boards re-read, and cached ones are dropped.
            foreach (var taskId in await db.Tasks.Where(t => t.CompetitionId == id).Select(t => t.Id).ToListAsync(cancellationToken))
            {
                notifier.Publish(new Leaderboards.LeaderboardChange(id, taskId, null));
            }
        }
        return competition;
    }

    public static Dictionary<string, string> Validate(CompetitionInput input)
    {
        var errors = new Dictionary<string, string>();
        var slug = Normalize(input.Slug);
        if (slug.Length == 0)
        {
            errors[nameof(input.Slug)] = "Enter a slug: the short name used in the challenge's address.";
        }
        else if (slug.Length < CompetitionRules.SlugMinLength || slug.Length > CompetitionRules.SlugMaxLength)
        {
            errors[nameof(input.Slug)] = $"The slug must be {CompetitionRules.SlugMinLength} to {CompetitionRules.SlugMaxLength} characters long.";
        }
        else if (!CompetitionRules.SlugPattern().IsMatch(slug))
        {
            errors[nameof(input.Slug)] = "Use lowercase letters, digits and single hyphens only, like 'land-cover-2026'.";
        }

        var title = input.Title.Trim();
        if (title.Length == 0)
        {
            errors[nameof(input.Title)] = "Enter a title.";
        }
        else if (title.Length > CompetitionRules.TitleMaxLength)
        {
            errors[nameof(input.Title)] = $"The title is at most {CompetitionRules.TitleMaxLength} characters long.";
        }

        if (input.Subtitle.Trim().Length > CompetitionRules.SubtitleMaxLength)
        {
            errors[nameof(input.Subtitle)] = $"The subtitle is at most {CompetitionRules.SubtitleMaxLength} characters long.";
        }
        foreach (var (field, text) in new[] { (nameof(input.OverviewMarkdown), input.OverviewMarkdown), (nameof(input.DataMarkdown), input.DataMarkdown), (nameof(input.EvaluationMarkdown), input.EvaluationMarkdown), (nameof(input.RulesMarkdown), input.RulesMarkdown) })
        {
            if (text.Length > CompetitionRules.OverviewMaxLength)
            {
                errors[field] = $"This page is at most {CompetitionRules.OverviewMaxLength:N0} characters long.";
            }
        }
        if (input.DailySubmissionLimit is < 1 or > 1000)
        {
            errors[nameof(input.DailySubmissionLimit)] = "Allow between 1 and 1,000 submissions per day.";
        }
        if (input.MaxFinalSelections is < 1 or > 20)
        {
            errors[nameof(input.MaxFinalSelections)] = "Allow between 1 and 20 final selections.";
        }
        if (input.MaxTeamSize is < 1 or > 100)
        {
            errors[nameof(input.MaxTeamSize)] = "A team has between 1 and 100 members.";
        }
        if (input.TeamMergerDeadlineUtc is { } mergerDeadline && input.EndsAtUtc is { } end && mergerDeadline > end)
        {
            errors[nameof(input.TeamMergerDeadlineUtc)] = "The team-merger deadline cannot come after the end.";
        }

        if (input.StartsAtUtc is null)
        {
            errors[nameof(input.StartsAtUtc)] = "Enter the start date.";
        }
        if (input.EndsAtUtc is null)
        {
            errors[nameof(input.EndsAtUtc)] = "Enter the end date.";
        }
        else if (input.StartsAtUtc is not null && input.EndsAtUtc <= input.StartsAtUtc)
        {
            errors[nameof(input.EndsAtUtc)] = "The end must come after the start.";
        }
        return errors;
    }

    private static void Apply(CompetitionInput input, Competition competition, DateTime nowUtc)
    {
        competition.Title = input.Title.Trim();
        competition.Subtitle = input.Subtitle.Trim();
        competition.OverviewMarkdown = input.OverviewMarkdown;
        competition.StartsAtUtc = DateTime.SpecifyKind(input.StartsAtUtc!.Value, DateTimeKind.Utc);
        competition.EndsAtUtc = DateTime.SpecifyKind(input.EndsAtUtc!.Value, DateTimeKind.Utc);
        competition.Status = input.Published ? CompetitionStatus.Published : CompetitionStatus.Draft;
        competition.DataMarkdown = input.DataMarkdown;
        competition.EvaluationMarkdown = input.EvaluationMarkdown;
        competition.RulesMarkdown = input.RulesMarkdown;
        competition.TeamMergerDeadlineUtc = input.TeamMergerDeadlineUtc is { } merger ? DateTime.SpecifyKind(merger, DateTimeKind.Utc) : null;
        competition.DailySubmissionLimit = input.DailySubmissionLimit;
        competition.MaxFinalSelections = input.MaxFinalSelections;
        competition.MaxTeamSize = input.MaxTeamSize;
        competition.RejectedSubmissionsCount = input.RejectedSubmissionsCount;
        competition.UpdatedAtUtc = nowUtc;
    }

    // The unique index is the final word when two organizers race for the same slug.
    private async Task<SaveResult> SaveAsync(ChallengeDbContext db, Competition competition, string slug, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await deadlines.ScheduleAsync(competition, cancellationToken);
            return new SaveResult(competition, new Dictionary<string, string>());
        }
        catch (DbUpdateException)
        {
            return SaveResult.Failed(nameof(CompetitionInput.Slug), $"The slug '{slug}' is already used by another challenge.");
        }
    }

    private async Task<Competition?> FindBySlugAsync(string slug, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var normalized = Normalize(slug);
        return await db.Competitions.AsNoTracking().SingleOrDefaultAsync(c => c.Slug == normalized, cancellationToken);
    }

    private static string Normalize(string slug) => slug.Trim().ToLowerInvariant();
}
