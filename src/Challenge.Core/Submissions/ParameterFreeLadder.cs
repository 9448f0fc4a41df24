using System.Collections.Concurrent;
using Challenge.Core.Data;
using Challenge.Core.Files;
using Challenge.Core.Leaderboards;
using Challenge.Core.Tasks;
using Challenge.Scoring.Metrics;
using Challenge.Scoring.Significance;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Challenge.Core.Submissions;

/// <summary>
/// Takes the decisions of the parameter-free Ladder (Blum and Hardt, ICML 2015, Algorithm 2) for one
/// team on one task: in submission order, each counted submission (scored, not hidden) either beats
/// the team's shown public score by more than the standard error of the per-row differences to the
/// submission that set it, and then shows its own score rounded to a multiple of 1/n, or leaves the
/// shown score as it was. The decision needs the per-row losses of both submissions, so it is taken
/// here from the stored files and kept on the submission (<see cref="Submission.LadderScore"/>);
/// the board and the team's pages read it without files.
/// </summary>
/// <remarks>
/// Decisions are taken in order: a submission still waiting or being scored stops the walk, and
/// whoever finishes it walks on. Two walks of one team never overlap (a turn per team in this process,
/// and on PostgreSQL a transaction-scoped advisory lock across nodes), and each walk reads the team's
/// submissions only once it holds the turn, so the last scorer to finish always sees every outcome
/// committed before it and no decision is taken against the wrong shown best.
/// </remarks>
public sealed class ParameterFreeLadder(
    IDbContextFactory<ChallengeDbContext> dbFactory,
    SqliteWriteGate writes,
    IFileStore files,
    SolutionCache solutions,
    ILeaderboardNotifier notifier,
    ILogger<ParameterFreeLadder> logger)
{
    private readonly ConcurrentDictionary<(int TaskId, int TeamId), SemaphoreSlim> _turns = new();

    // Each decision reads two files; a walk stops after this many (the sweeper walks on later), so
    // that switching the rule on over long histories never holds a scorer or the sweep for long.
    private const int DecisionsPerWalk = 50;

    // The sweep starts no new walk after this, so that reveals and lost submissions wait little.
    private static readonly TimeSpan SweepBudget = TimeSpan.FromSeconds(3);

    private sealed record Entry(long Id, SubmissionStatus Status, bool IsHidden, double? PublicScore, double? LadderScore, bool LadderMoved, string StorageKey);

    /// <summary>
    /// Decides the team's submissions that can be decided now (up to 50 in one walk; the sweeper
    /// takes the rest); returns how many were. Nothing happens unless the task uses the parameter-free rule.
    /// </summary>
    public async Task<int> DecideAsync(int taskId, int teamId, CancellationToken cancellationToken = default)
    {
        var turn = _turns.GetOrAdd((taskId, teamId), _ => new SemaphoreSlim(1, 1));
        await turn.WaitAsync(cancellationToken);
        int decided;
        int competitionId;
        try
        {
            (decided, competitionId) = await DecideInTurnAsync(taskId, teamId, cancellationToken);
        }
        finally
        {
            turn.Release();
        }
        if (decided > 0)
        {
            notifier.Publish(new LeaderboardChange(competitionId, taskId, teamId));
        }
        return decided;
    }

    /// <summary>
    /// Forgets the decisions from one submission on (in the team's order): its outcome changed (a
    /// rescore, hidden or shown again), so every later decision was taken against a history that no
    /// longer holds. <see cref="DecideAsync"/> takes them again.
    /// </summary>
    public static Task<int> ForgetFromAsync(ChallengeDbContext db, Submission submission, CancellationToken cancellationToken)
    {
        var (createdAt, id) = (submission.CreatedAtUtc, submission.Id);
        return db.Submissions
            .Where(s => s.TaskId == submission.TaskId && s.TeamId == submission.TeamId && (s.CreatedAtUtc > createdAt || (s.CreatedAtUtc == createdAt && s.Id >= id))
                && (s.LadderScore != null || s.LadderMoved))
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.LadderScore, (double?)null).SetProperty(x => x.LadderMoved, false), cancellationToken);
    }

    /// <summary>
    /// Walks the teams of parameter-free tasks that have a counted submission not yet decided (for
    /// the sweeper: a walk cut short by a crash or by its length, a rule switched on, a submission
    /// shown again); starts no new walk after a few seconds, the next sweep goes on.
    /// </summary>
    public async Task<int> DecidePendingAsync(CancellationToken cancellationToken = default)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var taskIds = await db.Tasks.Where(t => t.LadderParameterFree && t.Family == TaskFamily.Predictions).Select(t => t.Id).ToListAsync(cancellationToken);
        var decided = 0;
        foreach (var taskId in taskIds)
        {
            var teams = await db.Submissions
                .Where(s => s.TaskId == taskId && !s.IsHidden && s.Status == SubmissionStatus.Scored && s.LadderScore == null && s.PublicScore != null)
                .Select(s => s.TeamId).Distinct().Take(100).ToListAsync(cancellationToken);
            foreach (var teamId in teams)
            {
                if (started.Elapsed > SweepBudget)
                {
                    return decided;
                }
                decided += await DecideAsync(taskId, teamId, cancellationToken);
            }
        }
        return decided;
    }

    private async Task<(int Decided, int CompetitionId)> DecideInTurnAsync(int taskId, int teamId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var task = await db.Tasks.AsNoTracking().SingleOrDefaultAsync(t => t.Id == taskId, cancellationToken);
        if (task is null || !task.LadderParameterFree || task.Family != TaskFamily.Predictions || task.SolutionFileId is null)
        {
            return (0, task?.CompetitionId ?? 0);
        }
        // SQLite serves one process, where the turn above is enough; PostgreSQL may have several
        // nodes scoring the same team's submissions at once.
        await using var transaction = db.Database.IsNpgsql() ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        if (transaction is not null)
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({taskId}, {teamId})", cancellationToken);
        }
        var history = await db.Submissions.AsNoTracking().Where(s => s.TaskId == taskId && s.TeamId == teamId)
            .OrderBy(s => s.CreatedAtUtc).ThenBy(s => s.Id)
            .Select(s => new Entry(s.Id, s.Status, s.IsHidden, s.PublicScore, s.LadderScore, s.LadderMoved, s.StoredFile!.StorageKey))
            .ToListAsync(cancellationToken);

        var higherIsBetter = MetricCatalog.Find(task.Metric)?.HigherIsBetter ?? true;
        var shown = double.NaN;
        Entry? best = null;
        Challenge.Scoring.Solution? solution = null;
        Challenge.Scoring.Submission? bestRead = null;
        var decided = 0;
        foreach (var entry in history)
        {
            if (decided == DecisionsPerWalk)
            {
                break;
            }
            if (entry.IsHidden)
            {
                continue;
            }
            if (entry.Status is SubmissionStatus.Queued or SubmissionStatus.Scoring)
            {
                // Its outcome comes first: whoever finishes it walks on from here.
                break;
            }
            if (entry.Status != SubmissionStatus.Scored || entry.PublicScore is not { } score || !double.IsFinite(score))
            {
                continue;
            }
            if (entry.LadderScore is { } known)
            {
                shown = known;
                if (entry.LadderMoved)
                {
                    (best, bestRead) = (entry, null);
                }
                continue;
            }

            solution ??= await solutions.GetAsync(task, cancellationToken);
            LadderStep step;
            Challenge.Scoring.Submission? candidate = null;
            if (best is null || double.IsNaN(shown))
            {
                step = Ladder.ParameterFreeStep(double.NaN, score, double.NaN, solution.PublicRowCount, higherIsBetter);
            }
            else
            {
                bestRead ??= Read(solution, best);
                candidate = Read(solution, entry);
                // A file that cannot be read again leaves the shown score as it is: the Ladder errs
                // on the side of telling less.
                var threshold = bestRead is null || candidate is null ? double.NaN : Ladder.ParameterFreeThreshold(candidate, bestRead);
                step = Ladder.ParameterFreeStep(shown, score, threshold, solution.PublicRowCount, higherIsBetter);
            }
            using (await writes.EnterAsync(cancellationToken))
            {
                await db.Submissions.Where(s => s.Id == entry.Id && s.Status == SubmissionStatus.Scored && s.LadderScore == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.LadderScore, step.Shown).SetProperty(x => x.LadderMoved, step.Updated), cancellationToken);
            }
            decided++;
            shown = step.Shown;
            if (step.Updated)
            {
                (best, bestRead) = (entry, candidate);
            }
        }
        if (transaction is not null)
        {
            await transaction.CommitAsync(cancellationToken);
        }
        return (decided, task.CompetitionId);
    }

    private Challenge.Scoring.Submission? Read(Challenge.Scoring.Solution solution, Entry entry)
    {
        try
        {
            using var stream = files.OpenRead(entry.StorageKey);
            return solution.ReadSubmission(stream).Value;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning(exception, "The Ladder could not read submission {SubmissionId} again; the team's shown score stays", entry.Id);
            return null;
        }
    }
}
