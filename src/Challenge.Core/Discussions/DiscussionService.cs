using System.Security.Claims;
using Challenge.Core.Access;
using Challenge.Core.Audit;
using Challenge.Core.Challenges;
using Challenge.Core.Data;
using Challenge.Core.Outcomes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Discussions;

public sealed record ThreadRow(int Id, string Title, string? Author, bool ByOrganizer, DateTime CreatedAtUtc, DateTime LastPostAtUtc, int Replies);

/// <summary>One post as the reader may see it: a hidden post's text reaches only the challenge's managers.</summary>
public sealed record PostRow(
    long Id, string? AuthorId, string? Author, string BodyMarkdown, bool ByOrganizer, DateTime CreatedAtUtc, DateTime? EditedAtUtc,
    bool Hidden, string? HiddenReason, bool IsOpening);

/// <summary>A thread with one page of its posts, oldest first, and what the reader may do there.</summary>
public sealed record ThreadPage(ThreadRow Thread, PageOf<PostRow> Posts, bool CanPost, bool CanModerate);

/// <summary>
/// A challenge's discussion: threads and replies. Everyone who may see the published challenge
/// reads it, signed-in people write, authors edit their own posts and the managers hide posts
/// (with a reason, in the audit log). A draft's discussion is only for its managers.
/// </summary>
public sealed class DiscussionService(IDbContextFactory<ChallengeDbContext> dbFactory, IAuthorizationService authorization, TimeProvider clock)
{
    private const string NoDiscussion = "This challenge has no discussion you may read.";

    public async Task<Outcome<PageOf<ThreadRow>>> ListThreadsAsync(Competition challenge, int page, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        if (!await MayReadAsync(challenge, user))
        {
            return Outcome<PageOf<ThreadRow>>.NotFound(NoDiscussion);
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var threads = db.DiscussionThreads.AsNoTracking().Where(t => t.CompetitionId == challenge.Id);
        var request = new PageRequest(page, DiscussionRules.ThreadsPerPage);
        var rows = await Threads(db, threads.OrderByDescending(t => t.LastPostAtUtc).ThenByDescending(t => t.Id).Skip(request.Skip).Take(request.Take))
            .ToListAsync(cancellationToken);
        return new PageOf<ThreadRow>(rows, await threads.CountAsync(cancellationToken));
    }

    public async Task<Outcome<ThreadPage>> GetThreadAsync(Competition challenge, int threadId, int page, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        if (!await MayReadAsync(challenge, user))
        {
            return Outcome<ThreadPage>.NotFound(NoDiscussion);
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var thread = await Threads(db, db.DiscussionThreads.Where(t => t.Id == threadId && t.CompetitionId == challenge.Id)).SingleOrDefaultAsync(cancellationToken);
        if (thread is null)
        {
            return Outcome<ThreadPage>.NotFound("This thread does not exist (any more).");
        }
        var canModerate = await authorization.AllowsAsync(user, challenge, AccessRules.ManageChallenge);
        var posts = db.DiscussionPosts.AsNoTracking().Where(p => p.ThreadId == threadId);
        var openingId = await posts.MinAsync(p => (long?)p.Id, cancellationToken);
        var request = new PageRequest(page, DiscussionRules.PostsPerPage);
        var rows = await posts.OrderBy(p => p.Id).Skip(request.Skip).Take(request.Take)
            .Select(p => new
            {
                Post = p,
                Author = db.Users.Where(u => u.Id == p.AuthorId).Select(u => u.DisplayName).FirstOrDefault(),
            })
            .ToListAsync(cancellationToken);
        var items = rows.Select(r => new PostRow(
            r.Post.Id, r.Post.AuthorId, r.Author,
            r.Post.HiddenAtUtc is null || canModerate ? r.Post.BodyMarkdown : "",
            r.Post.ByOrganizer, r.Post.CreatedAtUtc, r.Post.EditedAtUtc, r.Post.HiddenAtUtc is not null, r.Post.HiddenReason, r.Post.Id == openingId)).ToList();
        return new ThreadPage(thread, new PageOf<PostRow>(items, await posts.CountAsync(cancellationToken)), await MayWriteAsync(challenge, user), canModerate);
    }

    /// <summary>Opens a thread with its first post; the value is the new thread's id.</summary>
    public async Task<Outcome<int>> StartThreadAsync(Competition challenge, string title, string body, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        if (await WriteRefusalAsync<int>(challenge, user) is { } refused)
        {
            return refused;
        }
        var errors = ValidateBody(body);
        if (string.IsNullOrWhiteSpace(title))
        {
            errors["Title"] = "Give the thread a title.";
        }
        else if (title.Trim().Length > DiscussionRules.TitleMaxLength)
        {
            errors["Title"] = $"The title is {title.Trim().Length} characters long; at most {DiscussionRules.TitleMaxLength} are allowed.";
        }
        if (errors.Count > 0)
        {
            return Outcome<int>.Invalid(errors);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var byOrganizer = await authorization.AllowsAsync(user, challenge, AccessRules.ManageChallenge);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var thread = new DiscussionThread { CompetitionId = challenge.Id, AuthorId = user.UserId(), Title = title.Trim(), CreatedAtUtc = now, LastPostAtUtc = now };
        db.DiscussionThreads.Add(thread);
        await db.SaveChangesAsync(cancellationToken);
        db.DiscussionPosts.Add(new DiscussionPost
        {
            ThreadId = thread.Id, CompetitionId = challenge.Id, AuthorId = user.UserId(), BodyMarkdown = body.Trim(), ByOrganizer = byOrganizer, CreatedAtUtc = now,
        });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return thread.Id;
    }

    /// <summary>Adds a reply at the end of a thread; the value is the new post's id.</summary>
    public async Task<Outcome<long>> ReplyAsync(Competition challenge, int threadId, string body, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        if (await WriteRefusalAsync<long>(challenge, user) is { } refused)
        {
            return refused;
        }
        if (ValidateBody(body) is { Count: > 0 } errors)
        {
            return Outcome<long>.Invalid(errors);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var byOrganizer = await authorization.AllowsAsync(user, challenge, AccessRules.ManageChallenge);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // Moving the thread's activity first also tells whether the thread still exists.
        var touched = await db.DiscussionThreads.Where(t => t.Id == threadId && t.CompetitionId == challenge.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.LastPostAtUtc, now), cancellationToken);
        if (touched == 0)
        {
            return Outcome<long>.NotFound("This thread does not exist (any more).");
        }
        var post = new DiscussionPost { ThreadId = threadId, CompetitionId = challenge.Id, AuthorId = user.UserId(), BodyMarkdown = body.Trim(), ByOrganizer = byOrganizer, CreatedAtUtc = now };
        db.DiscussionPosts.Add(post);
        await db.SaveChangesAsync(cancellationToken);
        return post.Id;
    }

    /// <summary>Replaces the text of one's own post; nobody edits another person's words.</summary>
    public async Task<Outcome<bool>> EditPostAsync(Competition challenge, long postId, string body, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        if (await WriteRefusalAsync<bool>(challenge, user) is { } refused)
        {
            return refused;
        }
        if (ValidateBody(body) is { Count: > 0 } errors)
        {
            return Outcome<bool>.Invalid(errors);
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await db.DiscussionPosts.SingleOrDefaultAsync(p => p.Id == postId && p.CompetitionId == challenge.Id, cancellationToken) is not { } post)
        {
            return Outcome<bool>.NotFound("This post does not exist (any more).");
        }
        if (post.AuthorId is null || post.AuthorId != user.UserId())
        {
            return Outcome<bool>.Forbidden("Only its author may edit a post.");
        }
        post.BodyMarkdown = body.Trim();
        post.EditedAtUtc = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>Hides a post from everyone but the managers (or shows it again), with the reason in the audit log.</summary>
    public async Task<Outcome<bool>> SetHiddenAsync(Competition challenge, long postId, bool hidden, string? reason, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        if (await authorization.RefusalAsync<bool>(user, challenge, AccessRules.ManageChallenge) is { } refused)
        {
            return refused;
        }
        if (hidden && string.IsNullOrWhiteSpace(reason))
        {
            return Outcome<bool>.Invalid("Reason", "Say why the post is hidden; its author reads the reason.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await db.DiscussionPosts.SingleOrDefaultAsync(p => p.Id == postId && p.CompetitionId == challenge.Id, cancellationToken) is not { } post)
        {
            return Outcome<bool>.NotFound("This post does not exist (any more).");
        }
        var now = clock.GetUtcNow().UtcDateTime;
        post.HiddenAtUtc = hidden ? now : null;
        post.HiddenReason = hidden ? reason!.Trim()[..Math.Min(reason.Trim().Length, 1_000)] : null;
        post.HiddenById = hidden ? user.UserId() : null;
        db.Audit(challenge.Id, user.UserId(), hidden ? "post.hidden" : "post.shown", hidden ? $"Post {post.Id} in thread {post.ThreadId}: {post.HiddenReason}" : $"Post {post.Id} in thread {post.ThreadId}", now);
        await db.SaveChangesAsync(cancellationToken);
        return hidden;
    }

    private async Task<bool> MayReadAsync(Competition challenge, ClaimsPrincipal user) =>
        challenge.IsPublished || await authorization.AllowsAsync(user, challenge, AccessRules.ManageChallenge);

    private async Task<bool> MayWriteAsync(Competition challenge, ClaimsPrincipal user) =>
        user.UserId() is not null && await MayReadAsync(challenge, user);

    private async Task<Outcome<T>?> WriteRefusalAsync<T>(Competition challenge, ClaimsPrincipal user)
    {
        if (user.UserId() is null)
        {
            return Outcome<T>.Forbidden("Log in to take part in the discussion.");
        }
        return await MayReadAsync(challenge, user) ? null : Outcome<T>.NotFound(NoDiscussion);
    }

    private static Dictionary<string, string> ValidateBody(string? body)
    {
        var errors = new Dictionary<string, string>();
        var length = (body ?? "").Trim().Length;
        if (length == 0)
        {
            errors["Body"] = "Write something first.";
        }
        else if (length > DiscussionRules.BodyMaxLength)
        {
            errors["Body"] = $"The text is {length} characters long; at most {DiscussionRules.BodyMaxLength} are allowed.";
        }
        return errors;
    }

    // Replies count the posts after the opening one that readers can see.
    private static IQueryable<ThreadRow> Threads(ChallengeDbContext db, IQueryable<DiscussionThread> threads) =>
        threads.Select(t => new ThreadRow(
            t.Id, t.Title,
            db.Users.Where(u => u.Id == t.AuthorId).Select(u => u.DisplayName).FirstOrDefault(),
            db.DiscussionPosts.Where(p => p.ThreadId == t.Id).OrderBy(p => p.Id).Select(p => p.ByOrganizer).FirstOrDefault(),
            t.CreatedAtUtc, t.LastPostAtUtc,
            db.DiscussionPosts.Count(p => p.ThreadId == t.Id && p.HiddenAtUtc == null
                && p.Id > db.DiscussionPosts.Where(q => q.ThreadId == t.Id).Min(q => q.Id))));
}
