using System.Security.Claims;
using Challenge.Core.Access;
using Challenge.Core.Audit;
using Challenge.Core.Challenges;
using Challenge.Core.Data;
using Challenge.Core.Outcomes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Announcements;

public sealed record AnnouncementRow(int Id, string Title, string BodyMarkdown, string? Author, DateTime CreatedAtUtc, DateTime? EditedAtUtc);

public sealed record AnnouncementInput(string Title, string BodyMarkdown);

/// <summary>
/// Organizers' announcements on a challenge, and which of them each signed-in person has not
/// dismissed yet. Everyone who may see the challenge reads them; only its managers write them.
/// </summary>
public sealed class AnnouncementService(IDbContextFactory<ChallengeDbContext> dbFactory, IAuthorizationService authorization, TimeProvider clock)
{
    /// <summary>Every announcement of the challenge, newest first; a draft's only for its managers.</summary>
    public async Task<Outcome<IReadOnlyList<AnnouncementRow>>> ListAsync(Competition challenge, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        if (!challenge.IsPublished && await authorization.RefusalAsync<IReadOnlyList<AnnouncementRow>>(user, challenge, AccessRules.ManageChallenge) is { } refused)
        {
            return refused;
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await Rows(db, db.Announcements.Where(a => a.CompetitionId == challenge.Id)).ToListAsync(cancellationToken);
    }

    /// <summary>The announcements the person has not dismissed on this challenge, newest first (none for visitors).</summary>
    public async Task<IReadOnlyList<AnnouncementRow>> UnseenAsync(Competition challenge, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        if (user.UserId() is not { } userId || (!challenge.IsPublished && !await authorization.AllowsAsync(user, challenge, AccessRules.ManageChallenge)))
        {
            return [];
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var seen = await db.AnnouncementsSeen.Where(s => s.CompetitionId == challenge.Id && s.UserId == userId)
            .Select(s => (int?)s.LastSeenId).SingleOrDefaultAsync(cancellationToken) ?? 0;
        return await Rows(db, db.Announcements.Where(a => a.CompetitionId == challenge.Id && a.Id > seen)).ToListAsync(cancellationToken);
    }

    /// <summary>Marks every announcement up to <paramref name="upToId"/> as seen by the person; later ones still show.</summary>
    public async Task MarkSeenAsync(Competition challenge, ClaimsPrincipal user, int upToId, CancellationToken cancellationToken = default)
    {
        if (user.UserId() is not { } userId)
        {
            return;
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await MarkSeenAsync(db, challenge.Id, userId, upToId, cancellationToken);
    }

    // Never moves backwards: a stale tab dismissing an older announcement keeps the newer mark.
    private static async Task MarkSeenAsync(ChallengeDbContext db, int challengeId, string userId, int upToId, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var row = db.AnnouncementsSeen.Where(s => s.CompetitionId == challengeId && s.UserId == userId);
            if (await row.AnyAsync(cancellationToken))
            {
                await row.Where(s => s.LastSeenId < upToId).ExecuteUpdateAsync(s => s.SetProperty(x => x.LastSeenId, upToId), cancellationToken);
                return;
            }
            var added = db.AnnouncementsSeen.Add(new AnnouncementSeen { CompetitionId = challengeId, UserId = userId, LastSeenId = upToId });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return;
            }
            catch (DbUpdateException) when (attempt == 0)
            {
                // Another tab of the same person inserted the row first: update that one instead.
                added.State = EntityState.Detached;
            }
        }
    }

    public async Task<Outcome<AnnouncementRow>> PostAsync(Competition challenge, AnnouncementInput input, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        if (await authorization.RefusalAsync<AnnouncementRow>(user, challenge, AccessRules.ManageChallenge) is { } refused)
        {
            return refused;
        }
        if (Validate(input) is { Count: > 0 } errors)
        {
            return Outcome<AnnouncementRow>.Invalid(errors);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var announcement = new Announcement
        {
            CompetitionId = challenge.Id, AuthorId = user.UserId(), Title = input.Title.Trim(), BodyMarkdown = input.BodyMarkdown.Trim(), CreatedAtUtc = now,
        };
        db.Announcements.Add(announcement);
        db.Audit(challenge.Id, user.UserId(), "announcement.posted", announcement.Title, now);
        await db.SaveChangesAsync(cancellationToken);
        // Its author has read it.
        if (user.UserId() is { } authorId)
        {
            await MarkSeenAsync(db, challenge.Id, authorId, announcement.Id, cancellationToken);
        }
        return await Rows(db, db.Announcements.Where(a => a.Id == announcement.Id)).SingleAsync(cancellationToken);
    }

    public async Task<Outcome<AnnouncementRow>> EditAsync(Competition challenge, int id, AnnouncementInput input, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        if (await authorization.RefusalAsync<AnnouncementRow>(user, challenge, AccessRules.ManageChallenge) is { } refused)
        {
            return refused;
        }
        if (Validate(input) is { Count: > 0 } errors)
        {
            return Outcome<AnnouncementRow>.Invalid(errors);
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await db.Announcements.SingleOrDefaultAsync(a => a.Id == id && a.CompetitionId == challenge.Id, cancellationToken) is not { } announcement)
        {
            return Outcome<AnnouncementRow>.NotFound("This announcement no longer exists.");
        }
        var now = clock.GetUtcNow().UtcDateTime;
        announcement.Title = input.Title.Trim();
        announcement.BodyMarkdown = input.BodyMarkdown.Trim();
        announcement.EditedAtUtc = now;
        db.Audit(challenge.Id, user.UserId(), "announcement.edited", announcement.Title, now);
        await db.SaveChangesAsync(cancellationToken);
        return await Rows(db, db.Announcements.Where(a => a.Id == id)).SingleAsync(cancellationToken);
    }

    public async Task<Outcome<bool>> DeleteAsync(Competition challenge, int id, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        if (await authorization.RefusalAsync<bool>(user, challenge, AccessRules.ManageChallenge) is { } refused)
        {
            return refused;
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await db.Announcements.SingleOrDefaultAsync(a => a.Id == id && a.CompetitionId == challenge.Id, cancellationToken) is not { } announcement)
        {
            return Outcome<bool>.NotFound("This announcement no longer exists.");
        }
        db.Announcements.Remove(announcement);
        db.Audit(challenge.Id, user.UserId(), "announcement.deleted", announcement.Title, clock.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    public static Dictionary<string, string> Validate(AnnouncementInput input)
    {
        var errors = new Dictionary<string, string>();
        if (string.IsNullOrWhiteSpace(input.Title))
        {
            errors[nameof(AnnouncementInput.Title)] = "Give the announcement a title.";
        }
        else if (input.Title.Trim().Length > AnnouncementRules.TitleMaxLength)
        {
            errors[nameof(AnnouncementInput.Title)] = $"The title is {input.Title.Trim().Length} characters long; at most {AnnouncementRules.TitleMaxLength} are allowed.";
        }
        if ((input.BodyMarkdown ?? "").Trim().Length > AnnouncementRules.BodyMaxLength)
        {
            errors[nameof(AnnouncementInput.BodyMarkdown)] = $"The text is {input.BodyMarkdown!.Trim().Length} characters long; at most {AnnouncementRules.BodyMaxLength} are allowed.";
        }
        return errors;
    }

    private static IQueryable<AnnouncementRow> Rows(ChallengeDbContext db, IQueryable<Announcement> announcements) =>
        announcements.OrderByDescending(a => a.Id)
            .Select(a => new AnnouncementRow(a.Id, a.Title, a.BodyMarkdown, db.Users.Where(u => u.Id == a.AuthorId).Select(u => u.DisplayName).FirstOrDefault(), a.CreatedAtUtc, a.EditedAtUtc));
}
