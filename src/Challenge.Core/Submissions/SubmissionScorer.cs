using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Challenge.Core.Data;
using Challenge.Core.Files;
using Challenge.Core.Leaderboards;
using Challenge.Core.Tasks;
using Challenge.Scoring;
using Challenge.Scoring.Significance;
using Challenge.Scoring.Validation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Challenge.Core.Submissions;

// Scores one stored submission. Safe to run again for the same submission: a finished one is left
// alone and a claimed one belongs to its scorer until that scorer's lease runs out, so a
// submission handed to several scorers (a worker, the sweeper after a crash) is scored once.
public sealed class SubmissionScorer(
    IDbContextFactory<ChallengeDbContext> dbFactory,
    SqliteWriteGate writes,
    IFileStore files,
    SolutionCache solutions,
    ILeaderboardNotifier notifier,
    Annotations.AnnotationScoringStep annotations,
    Rescoring.RescoreChangelog changelog,
    ParameterFreeLadder ladder,
    IOptions<ScoringOptions> options,
    TimeProvider clock,
    ILogger<SubmissionScorer> logger)
{
    // A per-class value that is not finite (NaN where a class was never predicted) is written as a
    // named literal instead of failing the whole scoring.
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    // Enough resamples to tell leaderboard neighbours apart at 95% while keeping scoring fast
    // (multi-class ROC AUC costs about 20 ms a resample on 100,000 rows).
    private const int LeaderboardReplicates = 200;

    public async Task ScoreAsync(long submissionId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;

        // Claiming is one conditional UPDATE that takes a waiting submission, or one whose scorer's
        // lease ran out, so two scorers (workers, nodes) can never both hold the same submission.
        var claim = Guid.NewGuid();
        int claimed;
        using (await writes.EnterAsync(cancellationToken))
        {
            claimed = await db.Submissions
                .Where(s => s.Id == submissionId && (s.Status == SubmissionStatus.Queued
                    || (s.Status == SubmissionStatus.Scoring && (s.ScoringLeaseUntilUtc == null || s.ScoringLeaseUntilUtc < now))))
                .ExecuteUpdateAsync(s => s
                    .SetProperty(x => x.Status, SubmissionStatus.Scoring)
                    .SetProperty(x => x.ScoringStartedAtUtc, now)
                    .SetProperty(x => x.ScoringClaim, claim)
                    .SetProperty(x => x.ScoringLeaseUntilUtc, now + SubmissionRules.ScoringLease)
                    .SetProperty(x => x.ScoringAttempts, x => x.ScoringAttempts + 1), cancellationToken);
        }
        if (claimed == 0)
        {
            return;
        }

        var submission = await db.Submissions.Include(s => s.StoredFile).SingleAsync(s => s.Id == submissionId, cancellationToken);
        if (submission.ScoringClaim != claim)
        {
            return;
        }
        if (submission.ScoringAttempts > SubmissionRules.MaxScoringAttempts)
        {
            await FailAsync(db, submission, claim, SubmissionFailure.NodeLost, $"Scoring was interrupted {SubmissionRules.MaxScoringAttempts} times; the organizers have been told. Please submit again.", cancellationToken);
            return;
        }

        var task = await db.Tasks.AsNoTracking().SingleAsync(t => t.Id == submission.TaskId, cancellationToken);
        var stopwatch = Stopwatch.StartNew();
        var refund = false;
        var otherTeamsMoved = false;
        // The attempt stops at the time limit or when the host stops; only the first is the
        // submission's failure (a stopping host leaves it to the next scorer, through its lease).
        var timeLimit = options.Value.TimeLimit;
        var started = clock.GetTimestamp();
        using var limit = new CancellationTokenSource(timeLimit, clock);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        try
        {
            await using (RenewLease(submissionId, claim))
            {
                attempt.Token.ThrowIfCancellationRequested();
                if (task.Family != TaskFamily.Predictions)
                {
                    (refund, otherTeamsMoved) = await annotations.ScoreAsync(db, submission, task, attempt.Token);
                }
                else
                {
                    refund = await ScorePredictionsAsync(db, submission, task, attempt.Token);
                }
                // A result that comes after the limit (work that never looked at the token) is
                // a timeout all the same: the attempt ran too long.
                if (clock.GetElapsedTime(started) >= timeLimit)
                {
                    await limit.CancelAsync();
                    attempt.Token.ThrowIfCancellationRequested();
                }
            }
            if (HasNonFiniteScore(submission))
            {
                refund = await RefuseNonFiniteAsync(db, submission, cancellationToken);
            }
            submission.SolutionVersion = task.SolutionVersion;
            submission.ScoredAtUtc = clock.GetUtcNow().UtcDateTime;
            submission.ScoringMilliseconds = (int)stopwatch.ElapsedMilliseconds;
            submission.FailureMessage = null;
            if (submission.Status == SubmissionStatus.Scored)
            {
                submission.FailureKind = null;
            }
            if (!await SaveAsync(db, submission, claim, refund, task.LadderParameterFree, cancellationToken))
            {
                return;
            }
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // The same file would run out of time again: it fails now, as the platform's failure,
            // rather than going back to the queue.
            logger.LogError("Scoring submission {SubmissionId} ran past the time limit of {TimeLimit} (Scoring:TimeLimit) and was stopped", submissionId, timeLimit);
            db.ChangeTracker.Clear();
            await FailAsync(db, submission, claim, SubmissionFailure.Timeout, TimeoutMessage(timeLimit), cancellationToken);
            return;
        }
        catch (ScoringFailedException failure)
        {
            // A metric failed on valid input: trying again gives the same failure. Its cause may quote
            // the solution, so it goes to the organizers' log and the team gets the neutral message.
            logger.LogError(failure, "Scoring submission {SubmissionId} failed inside metric {Metric}: {OrganizerMessage}", submissionId, failure.Metric, failure.OrganizerMessage);
            db.ChangeTracker.Clear();
            await FailAsync(db, submission, claim, SubmissionFailure.ScorerCrash, failure.TeamMessage, cancellationToken);
            return;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogError(exception, "Scoring submission {SubmissionId} failed (attempt {Attempt})", submissionId, submission.ScoringAttempts);
            db.ChangeTracker.Clear();
            if (submission.ScoringAttempts >= SubmissionRules.MaxScoringAttempts)
            {
                await FailAsync(db, submission, claim, exception is TimeoutException ? SubmissionFailure.Timeout : SubmissionFailure.ScorerCrash,
                    "The server could not score this file; the organizers have been told.", cancellationToken);
                return;
            }
            // Back to the queue, released; the sweeper picks it up again.
            await db.Submissions.Where(s => s.Id == submissionId && s.ScoringClaim == claim)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(x => x.Status, SubmissionStatus.Queued)
                    .SetProperty(x => x.ScoringClaim, (Guid?)null)
                    .SetProperty(x => x.ScoringLeaseUntilUtc, (DateTime?)null), cancellationToken);
            throw;
        }

        if (task.LadderParameterFree)
        {
            await DecideLadderAsync(submission, cancellationToken);
        }
        // An organizer's ranking formula that compares teams (max_labelled) moves other teams' scores
        // too, so their whole board is refreshed rather than this team's row.
        notifier.Publish(new LeaderboardChange(submission.CompetitionId, submission.TaskId, otherTeamsMoved ? null : submission.TeamId));
        await CompleteRescoreAsync(submission.Id);
    }

    // Rows of the rescoring changelog waiting for this submission get its new outcome, in the
    // transaction that saves it.
    private async Task RecordRescoreAsync(ChallengeDbContext db, long submissionId, SubmissionStatus status, double? publicScore, double? privateScore,
        string? scorerVersion, int solutionVersion, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await db.ScoreChanges.Where(c => c.SubmissionId == submissionId && c.RescoredAtUtc == null)
            .ExecuteUpdateAsync(c => c
                .SetProperty(x => x.NewStatus, status)
                .SetProperty(x => x.NewPublicScore, publicScore)
                .SetProperty(x => x.NewPrivateScore, privateScore)
                .SetProperty(x => x.NewScorerVersion, scorerVersion)
                .SetProperty(x => x.NewSolutionVersion, solutionVersion)
                .SetProperty(x => x.RescoredAtUtc, now), cancellationToken);
    }

    // This outcome may let the team's next Ladder decisions be taken; if the walk fails here, the
    // sweeper takes them.
    private async Task DecideLadderAsync(Submission submission, CancellationToken cancellationToken)
    {
        try
        {
            await ladder.DecideAsync(submission.TaskId, submission.TeamId, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogWarning(exception, "The Ladder could not decide after submission {SubmissionId}; the sweeper tries again", submission.Id);
        }
    }

    private async Task CompleteRescoreAsync(long submissionId)
    {
        try
        {
            await changelog.CompleteAsync(submissionId);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The scores are saved; only the ranks after the rescore are missing from its changelog.
            logger.LogWarning(exception, "Could not record the ranks after the rescore of submission {SubmissionId}", submissionId);
        }
    }

    public static string TimeoutMessage(TimeSpan limit) =>
        $"Scoring this file took longer than the limit of {(limit.TotalMinutes >= 1 ? $"{limit.TotalMinutes:0.#} minutes" : $"{limit.TotalSeconds:0.###} seconds")} and was stopped; the organizers have been told.";

    private sealed record PredictionsRead(ValidationOutcome<Challenge.Scoring.Submission> Read, ScoreResult? Result, ConfidenceInterval? Interval);

    // Reads and scores a CSV of predictions; returns whether a refused file gives its submission back.
    private async Task<bool> ScorePredictionsAsync(ChallengeDbContext db, Submission submission, CompetitionTask task, CancellationToken cancellationToken)
    {
        var solution = await solutions.GetAsync(task, cancellationToken);
        var storageKey = submission.StoredFile!.StorageKey;
        // Reading, the metric and the bootstrap take no token: they run aside, and past the time
        // limit this attempt stops waiting for them. What they compute touches nothing shared, so an
        // abandoned computation only finishes (or stops at its next check) and is dropped.
        var computed = await Task.Run(() => ComputePredictions(solution, storageKey, task.BootstrapEnabled, task.SplitSeed, cancellationToken), CancellationToken.None)
            .WaitAsync(cancellationToken);
        var read = computed.Read;
        if (read.Value is null)
        {
            return await RejectAsync(db, submission, read, cancellationToken);
        }

        var result = computed.Result!;
        submission.Status = SubmissionStatus.Scored;
        submission.PublicScore = result.Public;
        submission.PrivateScore = result.Private;
        submission.OverallScore = result.Overall;
        submission.DetailJson = result.Detail is null ? null : JsonSerializer.Serialize(result.Detail, Json);
        if (computed.Interval is { } interval)
        {
            submission.PublicLower = interval.Lower;
            submission.PublicUpper = interval.Upper;
        }
        submission.ScorerVersion = result.ScorerVersion;
        return false;
    }

    private PredictionsRead ComputePredictions(Solution solution, string storageKey, bool bootstrap, int seed, CancellationToken cancellationToken)
    {
        ValidationOutcome<Challenge.Scoring.Submission> read;
        using (var stream = files.OpenRead(storageKey))
        {
            read = solution.ReadSubmission(stream);
        }
        if (read.Value is not { } parsed)
        {
            return new PredictionsRead(read, null, null);
        }
        cancellationToken.ThrowIfCancellationRequested();
        var result = Scorer.Score(parsed);
        cancellationToken.ThrowIfCancellationRequested();
        var interval = bootstrap && result.Public is not null ? Bootstrap.Interval(parsed, ScorePart.Public, LeaderboardReplicates, seed: seed) : null;
        return new PredictionsRead(read, result, interval);
    }

    // The outcome is saved only while this scorer still holds its claim: the guard, the quota
    // refund and the row are one transaction, so a scorer whose lease ran out (and whose submission
    // another scorer took) changes nothing.
    private async Task<bool> SaveAsync(ChallengeDbContext db, Submission submission, Guid claim, bool refund, bool parameterFreeLadder, CancellationToken cancellationToken)
    {
        using var turn = await writes.EnterAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var held = await db.Submissions.Where(s => s.Id == submission.Id && s.Status == SubmissionStatus.Scoring && s.ScoringClaim == claim)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.ScoringLeaseUntilUtc, (DateTime?)null), cancellationToken);
        if (held == 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            logger.LogWarning("Submission {SubmissionId}: the scoring lease ran out before the result was saved; the scorer that took it over saves it", submission.Id);
            return false;
        }
        if (refund)
        {
            // A refused file gives its submission back, unless the organizers decided otherwise;
            // once, as a platform failure does.
            submission.CountsAgainstQuota = false;
            await ReturnToQuotaAsync(db, submission, cancellationToken);
        }
        submission.ScoringClaim = null;
        submission.ScoringLeaseUntilUtc = null;
        if (parameterFreeLadder)
        {
            // A rescore: the Ladder's decisions from here on were taken against the old outcome.
            submission.LadderScore = null;
            submission.LadderMoved = false;
            await ParameterFreeLadder.ForgetFromAsync(db, submission, cancellationToken);
        }
        await db.SaveChangesAsync(cancellationToken);
        await RecordRescoreAsync(db, submission.Id, submission.Status, submission.PublicScore, submission.PrivateScore, submission.ScorerVersion, submission.SolutionVersion, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    // Extends the claim every third of the lease while a long file is scored; a process that dies
    // stops renewing, which is how the others learn that it died.
    private LeaseRenewal RenewLease(long submissionId, Guid claim) => new(dbFactory, clock, logger, submissionId, claim);

    private sealed class LeaseRenewal : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _running;

        public LeaseRenewal(IDbContextFactory<ChallengeDbContext> dbFactory, TimeProvider clock, ILogger logger, long submissionId, Guid claim)
        {
            _running = RunAsync(dbFactory, clock, logger, submissionId, claim, _stop.Token);
        }

        private static async Task RunAsync(IDbContextFactory<ChallengeDbContext> dbFactory, TimeProvider clock, ILogger logger, long submissionId, Guid claim, CancellationToken stop)
        {
            using var timer = new PeriodicTimer(SubmissionRules.ScoringLease / 3, clock);
            try
            {
                while (await timer.WaitForNextTickAsync(stop))
                {
                    try
                    {
                        await using var db = await dbFactory.CreateDbContextAsync(stop);
                        var until = clock.GetUtcNow().UtcDateTime + SubmissionRules.ScoringLease;
                        await db.Submissions.Where(s => s.Id == submissionId && s.ScoringClaim == claim)
                            .ExecuteUpdateAsync(s => s.SetProperty(x => x.ScoringLeaseUntilUtc, until), stop);
                    }
                    catch (Exception exception) when (exception is not OperationCanceledException)
                    {
                        // A missed renewal is retried at the next tick; the lease has two more in hand.
                        logger.LogWarning(exception, "Could not renew the scoring lease of submission {SubmissionId}", submissionId);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Scoring finished.
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _running;
            _stop.Dispose();
        }
    }

    private static async Task GiveBackOnceAsync(ChallengeDbContext db, Submission submission, string message, CancellationToken cancellationToken)
    {
        await ReturnToQuotaAsync(db, submission, cancellationToken);
        // Said again after a later failure too: the submission stays given back.
        await db.Submissions.Where(s => s.Id == submission.Id && !s.CountsAgainstQuota && !s.IsBaseline)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.FailureMessage, message + GivenBackMessage), cancellationToken);
    }

    // The submission stops counting and its day's quota gets one back: a conditional update, so a
    // second failure or a scorer racing this one never gives it back twice.
    private static async Task ReturnToQuotaAsync(ChallengeDbContext db, Submission submission, CancellationToken cancellationToken)
    {
        var givenBack = await db.Submissions.Where(s => s.Id == submission.Id && s.CountsAgainstQuota)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.CountsAgainstQuota, false), cancellationToken);
        if (givenBack == 1)
        {
            await db.DailyQuotas
                .Where(q => q.TeamId == submission.TeamId && q.TaskId == submission.TaskId && q.Day == submission.QuotaDay && q.Used > 0)
                .ExecuteUpdateAsync(q => q.SetProperty(x => x.Used, x => x.Used - 1), cancellationToken);
        }
    }

    // Records the validation report; returns whether the refused file gives its submission back.
    private static async Task<bool> RejectAsync(ChallengeDbContext db, Submission submission, ValidationOutcome<Challenge.Scoring.Submission> read, CancellationToken cancellationToken)
    {
        submission.Status = SubmissionStatus.Rejected;
        submission.FailureKind = SubmissionFailure.FileRefused;
        submission.ErrorsJson = JsonSerializer.Serialize(read.Report.Errors, Json);
        submission.ErrorCount = read.Report.ErrorCount;
        return await GivesSubmissionBackAsync(db, submission, cancellationToken);
    }

    // A refused file gives its submission back, unless the organizers decided that refusals count.
    private static async Task<bool> GivesSubmissionBackAsync(ChallengeDbContext db, Submission submission, CancellationToken cancellationToken) =>
        submission.CountsAgainstQuota
        && !await db.Competitions.Where(c => c.Id == submission.CompetitionId).Select(c => c.RejectedSubmissionsCount).SingleAsync(cancellationToken);

    public const string NonFiniteScoreMessage =
        "The score of this file is not a finite number: its values are so large that the metric overflowed. Check the predictions' scale.";

    private static bool HasNonFiniteScore(Submission submission) =>
        submission.Status == SubmissionStatus.Scored
        && new[] { submission.PublicScore, submission.PrivateScore, submission.OverallScore, submission.PublicLower, submission.PublicUpper }
            .Any(score => score is { } value && !double.IsFinite(value));

    // A score of +inf or NaN (a regression file of 1e300s squares to infinity) cannot be ranked,
    // charted or written as JSON, and once stored every read of the submission failed. The file is
    // refused like an unreadable one, with a message saying why, and nothing of its scores is kept.
    private static async Task<bool> RefuseNonFiniteAsync(ChallengeDbContext db, Submission submission, CancellationToken cancellationToken)
    {
        submission.Status = SubmissionStatus.Rejected;
        submission.FailureKind = SubmissionFailure.FileRefused;
        submission.PublicScore = submission.PrivateScore = submission.OverallScore = submission.PublicLower = submission.PublicUpper = null;
        submission.DetailJson = null;
        submission.ErrorsJson = JsonSerializer.Serialize(new[] { new ValidationError(null, null, NonFiniteScoreMessage) }, Json);
        submission.ErrorCount = 1;
        return await GivesSubmissionBackAsync(db, submission, cancellationToken);
    }

    public const string GivenBackMessage = " The submission was given back to your team's quota for that day.";

    // A failure of the platform's own is not the team's: the submission goes back to the quota.
    // Giving back turns CountsAgainstQuota off in the same conditional update that checks it, so
    // however often a submission fails (retries, rescores, two nodes), it is given back once.
    private async Task FailAsync(ChallengeDbContext db, Submission submission, Guid claim, SubmissionFailure kind, string message, CancellationToken cancellationToken)
    {
        int failed;
        using (await writes.EnterAsync(cancellationToken))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            failed = await db.Submissions.Where(s => s.Id == submission.Id && s.ScoringClaim == claim)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(x => x.Status, SubmissionStatus.Failed)
                    .SetProperty(x => x.FailureKind, kind)
                    .SetProperty(x => x.FailureMessage, message)
                    .SetProperty(x => x.ScoredAtUtc, clock.GetUtcNow().UtcDateTime)
                    .SetProperty(x => x.ScoringClaim, (Guid?)null)
                    .SetProperty(x => x.ScoringLeaseUntilUtc, (DateTime?)null), cancellationToken);
            if (failed == 1 && ((SubmissionFailure?)kind).IsPlatform())
            {
                await GiveBackOnceAsync(db, submission, message, cancellationToken);
            }
            if (failed == 1)
            {
                await ParameterFreeLadder.ForgetFromAsync(db, submission, cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }
        if (failed == 1)
        {
            await DecideLadderAsync(submission, cancellationToken);
            await RecordRescoreAsync(db, submission.Id, SubmissionStatus.Failed, null, null, submission.ScorerVersion, submission.SolutionVersion, cancellationToken);
            notifier.Publish(new LeaderboardChange(submission.CompetitionId, submission.TaskId, submission.TeamId));
            await CompleteRescoreAsync(submission.Id);
        }
    }
}
