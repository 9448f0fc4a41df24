using System.Diagnostics;
using System.Text.Json;
using Challenge.Core.Data;
using Challenge.Core.Files;
using Challenge.Core.Leaderboards;
using Challenge.Core.Tasks;
using Challenge.Scoring;
using Challenge.Scoring.Significance;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Challenge.Core.Submissions;

// Scores one stored submission. Safe to run again for the same submission: a finished one is left
// alone, so a job that is recovered after a crash scores each submission exactly once.
public sealed class SubmissionScorer(
    IDbContextFactory<ChallengeDbContext> dbFactory,
    IFileStore files,
    SolutionCache solutions,
    ILeaderboardNotifier notifier,
    Annotations.AnnotationScoringStep annotations,
    TimeProvider clock,
    ILogger<SubmissionScorer> logger)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // Enough resamples to tell leaderboard neighbours apart at 95% while keeping scoring fast
    // (multi-class ROC AUC costs about 20 ms a resample on 100,000 rows).
    private const int LeaderboardReplicates = 200;

    public async Task ScoreAsync(long submissionId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;

        // Claiming is one conditional UPDATE, so two nodes can never both score the same submission.
        var claimed = await db.Submissions
            .Where(s => s.Id == submissionId && (s.Status == SubmissionStatus.Queued || s.Status == SubmissionStatus.Scoring))
            .ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Status, SubmissionStatus.Scoring)
                .SetProperty(x => x.ScoringStartedAtUtc, now)
                .SetProperty(x => x.ScoringAttempts, x => x.ScoringAttempts + 1), cancellationToken);
        if (claimed == 0)
        {
            return;
        }

        var submission = await db.Submissions.Include(s => s.StoredFile).SingleAsync(s => s.Id == submissionId, cancellationToken);
        if (submission.ScoringAttempts > SubmissionRules.MaxScoringAttempts)
        {
            await FailAsync(db, submission, $"Scoring was interrupted {SubmissionRules.MaxScoringAttempts} times; the organizers have been told. Please submit again.", cancellationToken);
            return;
        }

        var task = await db.Tasks.AsNoTracking().SingleAsync(t => t.Id == submission.TaskId, cancellationToken);
        if (task.Family != TaskFamily.Predictions)
        {
            await annotations.ScoreClaimedAsync(db, submission, task, cancellationToken);
            notifier.Publish(new LeaderboardChange(submission.CompetitionId, submission.TaskId, submission.TeamId));
            return;
        }
        var stopwatch = Stopwatch.StartNew();
        try
        {
            var solution = await solutions.GetAsync(task, cancellationToken);
            ValidationOutcome<Challenge.Scoring.Submission> read;
            await using (var stream = files.OpenRead(submission.StoredFile!.StorageKey))
            {
                read = solution.ReadSubmission(stream);
            }

            if (read.Value is not { } parsed)
            {
                await RejectAsync(db, submission, read, cancellationToken);
            }
            else
            {
                var result = Scorer.Score(parsed);
                submission.Status = SubmissionStatus.Scored;
                submission.PublicScore = result.Public;
                submission.PrivateScore = result.Private;
                submission.OverallScore = result.Overall;
                submission.DetailJson = result.Detail is null ? null : JsonSerializer.Serialize(result.Detail, Json);
                if (task.BootstrapEnabled && result.Public is not null)
                {
                    var interval = Bootstrap.Interval(parsed, ScorePart.Public, LeaderboardReplicates, seed: task.SplitSeed);
                    submission.PublicLower = interval.Lower;
                    submission.PublicUpper = interval.Upper;
                }
                submission.ScorerVersion = result.ScorerVersion;
            }
            submission.SolutionVersion = task.SolutionVersion;
            submission.ScoredAtUtc = clock.GetUtcNow().UtcDateTime;
            submission.ScoringMilliseconds = (int)stopwatch.ElapsedMilliseconds;
            submission.FailureMessage = null;
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogError(exception, "Scoring submission {SubmissionId} failed (attempt {Attempt})", submissionId, submission.ScoringAttempts);
            if (submission.ScoringAttempts >= SubmissionRules.MaxScoringAttempts)
            {
                await FailAsync(db, submission, "The server could not score this file; the organizers have been told.", cancellationToken);
                return;
            }
            // Back to the queue; the sweeper picks it up again.
            submission.Status = SubmissionStatus.Queued;
            await db.SaveChangesAsync(cancellationToken);
            throw;
        }

        notifier.Publish(new LeaderboardChange(submission.CompetitionId, submission.TaskId, submission.TeamId));
    }

    private static async Task RejectAsync(ChallengeDbContext db, Submission submission, ValidationOutcome<Challenge.Scoring.Submission> read, CancellationToken cancellationToken)
    {
        submission.Status = SubmissionStatus.Rejected;
        submission.ErrorsJson = JsonSerializer.Serialize(read.Report.Errors, Json);
        submission.ErrorCount = read.Report.ErrorCount;
        var rejectedCount = await db.Competitions.Where(c => c.Id == submission.CompetitionId).Select(c => c.RejectedSubmissionsCount).SingleAsync(cancellationToken);
        if (!rejectedCount && submission.CountsAgainstQuota)
        {
            // A refused file gives its submission back, unless the organizers decided otherwise.
            submission.CountsAgainstQuota = false;
            await db.DailyQuotas
                .Where(q => q.TeamId == submission.TeamId && q.TaskId == submission.TaskId && q.Day == submission.QuotaDay && q.Used > 0)
                .ExecuteUpdateAsync(q => q.SetProperty(x => x.Used, x => x.Used - 1), cancellationToken);
        }
    }

    private async Task FailAsync(ChallengeDbContext db, Submission submission, string message, CancellationToken cancellationToken)
    {
        submission.Status = SubmissionStatus.Failed;
        submission.FailureMessage = message;
        submission.ScoredAtUtc = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        notifier.Publish(new LeaderboardChange(submission.CompetitionId, submission.TaskId, submission.TeamId));
    }
}
