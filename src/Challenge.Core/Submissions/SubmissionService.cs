using Challenge.Core.Challenges;
using Challenge.Core.Data;
using Challenge.Core.Files;
using Challenge.Core.Leaderboards;
using Challenge.Core.Tasks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Challenge.Core.Submissions;

public enum SubmitRefusal
{
    None,
    NotFound,
    Closed,
    NoSolution,
    NotInTeam,
    RulesNotAccepted,
    Disqualified,
    QuotaExhausted,
    TooLarge,
}

public sealed record SubmitResult(Submission? Submission, SubmitRefusal Refusal, string? Message)
{
    public bool Accepted => Submission is not null;

    public static SubmitResult Refuse(SubmitRefusal refusal, string message) => new(null, refusal, message);
}

public sealed record QuotaStatus(int Limit, int Used, DateTime ResetsAtUtc)
{
    public int Left => Math.Max(0, Limit - Used);
}

public sealed class SubmissionService(
    IDbContextFactory<ChallengeDbContext> dbFactory,
    SqliteWriteGate writes,
    IFileStore files,
    ISubmissionQueue queue,
    ILeaderboardNotifier notifier,
    TimeProvider clock,
    Teams.TeamService teams,
    ILogger<SubmissionService> logger)
{
    private const string QuotaDayFormat = "yyyy-MM-dd";

    public static string QuotaDayOf(DateTime utc) => utc.ToString(QuotaDayFormat, System.Globalization.CultureInfo.InvariantCulture);

    // The UTC midnight that starts a quota day, for charts that place days on a time axis.
    public static DateTime StartOfQuotaDay(string day) =>
        DateTime.SpecifyKind(DateTime.ParseExact(day, QuotaDayFormat, System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc);

    public async Task<QuotaStatus> GetQuotaAsync(int teamId, int taskId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var task = await db.Tasks.AsNoTracking().SingleAsync(t => t.Id == taskId, cancellationToken);
        var limit = await db.Competitions.Where(c => c.Id == task.CompetitionId).Select(c => c.DailySubmissionLimit).SingleAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var day = QuotaDayOf(now);
        var quota = await db.DailyQuotas.Where(q => q.TeamId == teamId && q.TaskId == taskId && q.Day == day).Select(q => new { q.Used, q.Granted }).SingleOrDefaultAsync(cancellationToken);
        return new QuotaStatus(limit + (quota?.Granted ?? 0), quota?.Used ?? 0, now.Date.AddDays(1));
    }

    // Stores the file and the row in one unit, consuming one submission of today's quota, then
    // queues the scoring. Nothing is stored when the submission is refused.
    public async Task<SubmitResult> SubmitAsync(int taskId, string userId, Stream content, string fileName, string description, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var task = await db.Tasks.AsNoTracking().SingleOrDefaultAsync(t => t.Id == taskId, cancellationToken);
        var competition = task is null ? null : await db.Competitions.AsNoTracking().SingleAsync(c => c.Id == task.CompetitionId, cancellationToken);
        if (task is null || competition is null || !competition.IsPublished)
        {
            return SubmitResult.Refuse(SubmitRefusal.NotFound, "This task does not exist.");
        }
        var now = clock.GetUtcNow().UtcDateTime;
        if (!competition.AcceptsSubmissionsAt(now))
        {
            return SubmitResult.Refuse(SubmitRefusal.Closed, now < competition.StartsAtUtc
                ? $"Submissions open on {competition.StartsAtUtc:yyyy-MM-dd HH:mm} UTC."
                : "The challenge has ended: submissions are closed.");
        }
        if (task.SolutionFileId is null)
        {
            return SubmitResult.Refuse(SubmitRefusal.NoSolution, "The organizers have not uploaded this task's solution yet.");
        }
        var team = await TeamOfAsync(db, competition.Id, userId, cancellationToken);
        if (team is null && !await db.Participations.AnyAsync(p => p.CompetitionId == competition.Id && p.UserId == userId, cancellationToken))
        {
            return SubmitResult.Refuse(SubmitRefusal.RulesNotAccepted, "Accept the challenge's rules before submitting.");
        }
        if (team?.DisqualifiedAtUtc is not null)
        {
            return SubmitResult.Refuse(SubmitRefusal.Disqualified, DisqualifiedMessage(team));
        }
        var day = QuotaDayOf(now);
        if (team is { IsBaseline: false } && await UsedAsync(db, team.Id, taskId, day, cancellationToken) >= competition.DailySubmissionLimit)
        {
            return QuotaRefusal(competition, now);
        }

        StoredContent stored;
        try
        {
            stored = await files.SaveAsync(content, "submissions", task.MaxSubmissionBytes, cancellationToken);
        }
        catch (FileTooLargeException tooLarge)
        {
            return SubmitResult.Refuse(SubmitRefusal.TooLarge, tooLarge.Message);
        }

        if (team is null)
        {
            // As on Kaggle, a first upload by someone without a team makes their one-person team;
            // only now, once the file is stored, so a refused file leaves no team behind.
            var solo = await teams.CreateSoloAsync(competition.Id, userId, cancellationToken);
            if (!solo.Succeeded)
            {
                await files.DeleteAsync(stored.StorageKey);
                return SubmitResult.Refuse(SubmitRefusal.NotInTeam, solo.Error!);
            }
        }

        // A merge running at the same moment can make PostgreSQL pick this unit as a deadlock's
        // victim: the file is still stored, so the unit runs again on a fresh context.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var unit = await dbFactory.CreateDbContextAsync(cancellationToken);
                return await RecordAsync(unit, competition, taskId, userId, stored, fileName, description, day, now, cancellationToken);
            }
            catch (Exception exception) when (DatabaseErrors.IsSerializationFailure(exception) && attempt < 3)
            {
                await Task.Delay(Random.Shared.Next(5, 25 * attempt), cancellationToken);
            }
            catch (Exception exception) when (DatabaseErrors.IsForeignKeyViolation(exception))
            {
                // The team went (merged into another) between the read above and the insert.
                await files.DeleteAsync(stored.StorageKey);
                return SubmitResult.Refuse(SubmitRefusal.NotInTeam, "Your team was merged into another while the file was uploading; submit it again.");
            }
            catch
            {
                await files.DeleteAsync(stored.StorageKey);
                throw;
            }
        }
    }

    private async Task<SubmitResult> RecordAsync(ChallengeDbContext db, Competition competition, int taskId, string userId, StoredContent stored, string fileName, string description, string day, DateTime now, CancellationToken cancellationToken)
    {
        using var turn = await writes.EnterAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // A merge may have moved the submitter to another team since the checks above: the team
        // is read again inside the transaction, so the row and the quota go to the team there is now.
        var team = await TeamOfAsync(db, competition.Id, userId, cancellationToken);
        if (team is null || team.DisqualifiedAtUtc is not null)
        {
            await transaction.RollbackAsync(cancellationToken);
            await files.DeleteAsync(stored.StorageKey);
            return team is null
                ? SubmitResult.Refuse(SubmitRefusal.NotInTeam, "You left your team while the file was uploading; submit it again.")
                : SubmitResult.Refuse(SubmitRefusal.Disqualified, DisqualifiedMessage(team));
        }
        if (!team.IsBaseline && !await TryTakeQuotaAsync(db, team.Id, taskId, day, competition.DailySubmissionLimit, cancellationToken))
        {
            await transaction.RollbackAsync(cancellationToken);
            await files.DeleteAsync(stored.StorageKey);
            return QuotaRefusal(competition, now);
        }
        var file = new StoredFile { StorageKey = stored.StorageKey, OriginalName = SafeName(fileName), Length = stored.Length, Sha256 = stored.Sha256, CreatedAtUtc = now };
        db.StoredFiles.Add(file);
        var submission = new Submission
        {
            CompetitionId = competition.Id,
            TaskId = taskId,
            TeamId = team.Id,
            SubmittedById = userId,
            StoredFile = file,
            FileName = file.OriginalName,
            Description = Truncate(description.Trim(), SubmissionRules.DescriptionMaxLength),
            Status = SubmissionStatus.Queued,
            CreatedAtUtc = now,
            QuotaDay = day,
            CountsAgainstQuota = !team.IsBaseline,
            IsBaseline = team.IsBaseline,
        };
        db.Submissions.Add(submission);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        await EnqueueSafelyAsync(submission.Id, cancellationToken);
        return new SubmitResult(submission, SubmitRefusal.None, null);
    }

    private static string DisqualifiedMessage(Teams.Team team) =>
        "Your team was disqualified" + (string.IsNullOrWhiteSpace(team.DisqualificationReason) ? "." : $": {team.DisqualificationReason}");

    public async Task<IReadOnlyList<Submission>> ListForTeamAsync(int teamId, int? taskId = null, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var submissions = await db.Submissions.AsNoTracking()
            .Where(s => s.TeamId == teamId && (taskId == null || s.TaskId == taskId))
            .OrderByDescending(s => s.CreatedAtUtc).ThenByDescending(s => s.Id)
            .ToListAsync(cancellationToken);
        await TeamLadder.ApplyAsync(db, submissions, cancellationToken);
        return submissions;
    }

    // Final selections count per task, as the private leaderboard is per task.
    public async Task<string?> SetSelectedAsync(long submissionId, string userId, bool selected, CancellationToken cancellationToken = default)
    {
        // The count and the selection are one serialised unit: clicks from two tabs at once must
        // not each see a free place and together exceed the limit.
        Submission? changed = null;
        var refusal = await dbFactory.RunSerializableAsync(writes, async (db, cancellationToken) =>
        {
            var submission = await db.Submissions.SingleOrDefaultAsync(s => s.Id == submissionId, cancellationToken);
            if (submission is null || !await db.TeamMembers.AnyAsync(m => m.TeamId == submission.TeamId && m.UserId == userId, cancellationToken))
            {
                return "This submission does not exist.";
            }
            var competition = await db.Competitions.AsNoTracking().SingleAsync(c => c.Id == submission.CompetitionId, cancellationToken);
            if (clock.GetUtcNow().UtcDateTime >= competition.EndsAtUtc)
            {
                return "The challenge has ended: final selections are locked.";
            }
            if (selected && submission.Status != SubmissionStatus.Scored)
            {
                return "Only a scored submission can be selected.";
            }
            if (selected && !submission.IsSelected)
            {
                var count = await db.Submissions.CountAsync(s => s.TeamId == submission.TeamId && s.TaskId == submission.TaskId && s.IsSelected, cancellationToken);
                if (count >= competition.MaxFinalSelections)
                {
                    return $"Your team has selected {count} submissions already, the most this challenge allows; unselect one first.";
                }
            }
            submission.IsSelected = selected;
            await db.SaveChangesAsync(cancellationToken);
            await db.Database.CommitTransactionAsync(cancellationToken);
            changed = submission;
            return null;
        }, () => "Your team's selections changed meanwhile; try again.", cancellationToken);
        if (changed is not null)
        {
            // The private leaderboard uses the selected submissions.
            notifier.Publish(new LeaderboardChange(changed.CompetitionId, changed.TaskId, changed.TeamId));
        }
        return refusal;
    }

    public async Task<Stream?> OpenOwnFileAsync(long submissionId, string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var key = await db.Submissions.Where(s => s.Id == submissionId)
            .Where(s => db.TeamMembers.Any(m => m.TeamId == s.TeamId && m.UserId == userId))
            .Join(db.StoredFiles, s => s.StoredFileId, f => f.Id, (s, f) => f.StorageKey)
            .SingleOrDefaultAsync(cancellationToken);
        return key is null ? null : files.OpenRead(key);
    }

    private static Task<Teams.Team?> TeamOfAsync(ChallengeDbContext db, int competitionId, string userId, CancellationToken cancellationToken) =>
        db.TeamMembers.Where(m => m.CompetitionId == competitionId && m.UserId == userId)
            .Join(db.Teams, m => m.TeamId, t => t.Id, (m, t) => t).AsNoTracking().SingleOrDefaultAsync(cancellationToken);

    internal static async Task<bool> TryTakeQuotaAsync(ChallengeDbContext db, int teamId, int taskId, string day, int limit, CancellationToken cancellationToken)
    {
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"""INSERT INTO "DailyQuotas" ("TeamId", "TaskId", "Day", "Used") VALUES ({teamId}, {taskId}, {day}, 0) ON CONFLICT DO NOTHING""",
            cancellationToken);
        var taken = await db.DailyQuotas
            .Where(q => q.TeamId == teamId && q.TaskId == taskId && q.Day == day && q.Used < limit + q.Granted)
            .ExecuteUpdateAsync(q => q.SetProperty(x => x.Used, x => x.Used + 1), cancellationToken);
        return taken == 1;
    }

    // Submissions used beyond what the organizers granted on top of the daily limit.
    private static Task<int> UsedAsync(ChallengeDbContext db, int teamId, int taskId, string day, CancellationToken cancellationToken) =>
        db.DailyQuotas.Where(q => q.TeamId == teamId && q.TaskId == taskId && q.Day == day).Select(q => q.Used - q.Granted).SingleOrDefaultAsync(cancellationToken);

    /// <summary>
    /// Place in the scoring queue of each waiting submission (1 = next), counting every queued
    /// submission of the server that arrived before it; 0 while it is being scored.
    /// </summary>
    public async Task<IReadOnlyDictionary<long, int>> QueuePositionsAsync(IReadOnlyCollection<long> submissionIds, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var waiting = await db.Submissions.AsNoTracking().Where(s => submissionIds.Contains(s.Id) && (s.Status == SubmissionStatus.Queued || s.Status == SubmissionStatus.Scoring))
            .Select(s => new { s.Id, s.Status }).ToListAsync(cancellationToken);
        var positions = new Dictionary<long, int>();
        foreach (var submission in waiting)
        {
            positions[submission.Id] = submission.Status == SubmissionStatus.Scoring ? 0
                : 1 + await db.Submissions.CountAsync(s => s.Status == SubmissionStatus.Queued && s.Id < submission.Id, cancellationToken);
        }
        return positions;
    }

    private static SubmitResult QuotaRefusal(Competition competition, DateTime nowUtc) =>
        SubmitResult.Refuse(SubmitRefusal.QuotaExhausted,
            $"Your team has used today's {competition.DailySubmissionLimit} submissions for this task; the quota resets at {nowUtc.Date.AddDays(1):yyyy-MM-dd HH:mm} UTC.");

    // The row is committed, so a failure to queue is not the submitter's problem: the sweeper
    // re-queues submissions left waiting.
    private async Task EnqueueSafelyAsync(long submissionId, CancellationToken cancellationToken)
    {
        try
        {
            await queue.EnqueueAsync(submissionId, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogWarning(exception, "Submission {SubmissionId} is stored but could not be queued now; the sweeper will queue it", submissionId);
        }
    }

    private static string Truncate(string text, int maxLength) => text.Length > maxLength ? text[..maxLength] : text;

    private static string SafeName(string fileName)
    {
        // The name is only shown back to the team, so unsafe characters are dropped rather than refused.
        var name = FileNames.WithoutInvisible(Path.GetFileName(fileName.Replace('\\', '/'))).Trim();
        return string.IsNullOrWhiteSpace(name) ? "submission.csv" : name.Length > 200 ? name[^200..] : name;
    }
}
