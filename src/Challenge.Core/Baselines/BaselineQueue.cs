using System.Globalization;
using System.Text.Json;
using Challenge.Core.Data;
using Challenge.Core.Files;
using Challenge.Core.Submissions;
using Challenge.Core.Tasks;
using Challenge.Core.Teams;
using TaskKind = Challenge.Scoring.TaskKind;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Challenge.Core.Baselines;

public sealed record LeasedFile(int Id, string Role, string FileName, long Length, string Sha256);

public sealed record LeasedRun(
    BaselineRun Run,
    string ChallengeSlug,
    string TaskSlug,
    string IdColumn,
    string TargetColumn,
    IReadOnlyList<LeasedFile> Files,
    TimeSpan Lease,
    TimeSpan HeartbeatInterval,
    TaskKind Kind,
    // The columns of a probability submission (empty for label tasks).
    IReadOnlyList<string> Classes);

// One progress report of a worker, as Challenge.Ml's TrainingProgress describes it.
public sealed record ProgressReport(
    string Stage,
    int Epoch,
    int Epochs,
    int Batch,
    int Batches,
    double Loss,
    double? ValidationAccuracy,
    double ExamplesPerSecond,
    double EtaSeconds,
    string Device);

public enum LeaseOutcome
{
    Accepted,
    Cancelled,
    LeaseLost,
    Invalid,
    // The lease is another worker's: answered like a run that does not exist.
    NotFound,
}

public sealed record LeaseResult(LeaseOutcome Outcome, string? Message = null, DateTime? LeaseExpiresAtUtc = null, long? SubmissionId = null)
{
    public static LeaseResult Lost { get; } = new(LeaseOutcome.LeaseLost,
        "This lease is no longer valid: it expired and the run went back to the queue, or the run finished.");

    public static LeaseResult CancelledByOrganizer { get; } = new(LeaseOutcome.Cancelled, "An organizer cancelled the run; stop training.");

    public static LeaseResult Invalid(string message) => new(LeaseOutcome.Invalid, message);

    public static LeaseResult NotFound { get; } = new(LeaseOutcome.NotFound, "This worker holds no run under that lease.");
}

// What workers do: authenticate, lease the oldest queued run, report progress (which extends the
// lease), download the run's data and upload its predictions. Every change to a leased run is one
// conditional UPDATE on its lease id, so two workers can never hold or finish the same run and a
// worker whose lease was taken away can change nothing.
public sealed class BaselineQueue(
    IDbContextFactory<ChallengeDbContext> dbFactory,
    SqliteWriteGate writes,
    IFileStore files,
    ISubmissionQueue scoringQueue,
    SolutionCache solutions,
    IOptions<BaselineOptions> options,
    TimeProvider clock,
    ILogger<BaselineQueue> logger)
{
    public const string EmbeddedWorkerName = "the server's embedded worker";

    private static readonly JsonSerializerOptions CurveJson = new(JsonSerializerDefaults.Web);

    public BaselineOptions Options => options.Value;

    public async Task<BaselineWorker?> AuthenticateAsync(string secret, CancellationToken cancellationToken = default)
    {
        if (!secret.StartsWith(BaselineRules.TokenPrefix, StringComparison.Ordinal) || secret.Length > 200)
        {
            return null;
        }
        var hash = BaselineService.HashSecret(secret);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var worker = await db.BaselineWorkers.SingleOrDefaultAsync(w => w.Hash == hash && w.RevokedAtUtc == null, cancellationToken);
        if (worker is null)
        {
            return null;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        if (worker.LastSeenAtUtc is null || now - worker.LastSeenAtUtc > TimeSpan.FromSeconds(15))
        {
            worker.LastSeenAtUtc = now;
            await db.SaveChangesAsync(cancellationToken);
        }
        return worker;
    }

    public async Task<BaselineWorker> RegisterAsync(int workerId, string? machine, string? devices, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var worker = await db.BaselineWorkers.SingleAsync(w => w.Id == workerId, cancellationToken);
        worker.Machine = Clip(machine, 200);
        worker.Devices = Clip(devices, 500);
        worker.LastSeenAtUtc = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        return worker;
    }

    // The oldest queued run this worker may serve, or null. A run that asks for CUDA only goes to a
    // worker that said it has a usable GPU. A null worker is the server's embedded worker: it holds
    // no token, serves every challenge, and its leases bind to no worker row (the lease id alone
    // tells its runs from another worker's).
    public async Task<LeasedRun?> LeaseAsync(int? workerId, bool hasCuda, CancellationToken cancellationToken = default)
    {
        await RequeueExpiredAsync(cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var worker = workerId is null ? null
            : await db.BaselineWorkers.AsNoTracking().SingleOrDefaultAsync(w => w.Id == workerId && w.RevokedAtUtc == null, cancellationToken);
        if (workerId is not null && worker is null)
        {
            return null;
        }
        var all = worker?.AllChallenges ?? true;
        var creator = worker?.CreatedById;
        var workerName = worker is null ? EmbeddedWorkerName : $"worker '{worker.Name}'";
        var candidates = await db.BaselineRuns
            .Where(r => r.Status == BaselineRunStatus.Queued && (hasCuda || r.Device != BaselineDevice.Cuda))
            .Where(r => all || db.Competitions.Any(c => c.Id == r.CompetitionId
                && (c.OwnerId == creator || c.CoOrganizers.Any(o => o.UserId == creator))))
            .OrderBy(r => r.Id).Select(r => r.Id).Take(10).ToListAsync(cancellationToken);

        foreach (var runId in candidates)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var leaseId = Guid.NewGuid().ToString("N");
            var expires = now + options.Value.Lease;
            var taken = await db.BaselineRuns.Where(r => r.Id == runId && r.Status == BaselineRunStatus.Queued)
                .ExecuteUpdateAsync(r => r
                    .SetProperty(x => x.Status, BaselineRunStatus.Running)
                    .SetProperty(x => x.LeaseId, leaseId)
                    .SetProperty(x => x.WorkerId, workerId)
                    .SetProperty(x => x.LeaseExpiresAtUtc, expires)
                    .SetProperty(x => x.LastHeartbeatAtUtc, now)
                    .SetProperty(x => x.StartedAtUtc, now)
                    .SetProperty(x => x.Attempts, x => x.Attempts + 1)
                    .SetProperty(x => x.Stage, (string?)null)
                    .SetProperty(x => x.Epoch, 0)
                    .SetProperty(x => x.Fraction, 0)
                    .SetProperty(x => x.Loss, (double?)null)
                    .SetProperty(x => x.ValidationAccuracy, (double?)null)
                    .SetProperty(x => x.ExamplesPerSecond, (double?)null)
                    .SetProperty(x => x.EtaSeconds, (int?)null)
                    .SetProperty(x => x.DeviceUsed, (string?)null)
                    .SetProperty(x => x.LossCurveJson, "[]"), cancellationToken);
            if (taken != 1)
            {
                continue; // another worker took it between the read and the update
            }
            var run = await db.BaselineRuns.AsNoTracking().SingleAsync(r => r.Id == runId, cancellationToken);
            await AppendLogAsync(db, run, [$"attempt {run.Attempts}: leased by {workerName}"], cancellationToken);
            var (leased, problem) = await DescribeAsync(db, run, cancellationToken);
            if (leased is not null)
            {
                return leased;
            }
            await FinishAsync(db, runId, workerId, leaseId, BaselineRunStatus.Failed, problem!, [], cancellationToken);
        }
        return null;
    }

    public async Task<LeaseResult> ReportAsync(long runId, int? workerId, string leaseId, IReadOnlyList<ProgressReport> progress, IReadOnlyList<string> log, CancellationToken cancellationToken = default)
    {
        if (Validate(progress, log) is { } problem)
        {
            return LeaseResult.Invalid(problem);
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var run = await db.BaselineRuns.AsNoTracking().SingleOrDefaultAsync(r => r.Id == runId && r.LeaseId == leaseId && r.WorkerId == workerId, cancellationToken);
        if (run is null || run.Status != BaselineRunStatus.Running)
        {
            return await RefusalAsync(db, runId, workerId, leaseId, cancellationToken);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var expires = now + options.Value.Lease;
        var curve = AppendCurve(run.LossCurveJson, progress);
        var newLog = AppendLog(run.Log, log);
        var last = progress.Count > 0 ? progress[^1] : null;
        var validation = progress.LastOrDefault(p => p.ValidationAccuracy is not null)?.ValidationAccuracy ?? run.ValidationAccuracy;
        var updated = await db.BaselineRuns.Where(r => r.Id == runId && r.LeaseId == leaseId && r.WorkerId == workerId && r.Status == BaselineRunStatus.Running)
            .ExecuteUpdateAsync(r =>
            {
                r.SetProperty(x => x.LeaseExpiresAtUtc, expires)
                    .SetProperty(x => x.LastHeartbeatAtUtc, now)
                    .SetProperty(x => x.LossCurveJson, curve)
                    .SetProperty(x => x.Log, newLog)
                    .SetProperty(x => x.ValidationAccuracy, validation);
                if (last is not null)
                {
                    r.SetProperty(x => x.Stage, last.Stage)
                        .SetProperty(x => x.Epoch, last.Epoch)
                        .SetProperty(x => x.EpochCount, last.Epochs)
                        .SetProperty(x => x.Fraction, Fraction(last))
                        .SetProperty(x => x.Loss, last.Loss)
                        .SetProperty(x => x.ExamplesPerSecond, last.ExamplesPerSecond)
                        .SetProperty(x => x.EtaSeconds, (int)Math.Min(int.MaxValue, Math.Round(last.EtaSeconds)))
                        .SetProperty(x => x.DeviceUsed, last.Device);
                }
            }, cancellationToken);
        if (updated == 1)
        {
            return new LeaseResult(LeaseOutcome.Accepted, null, expires);
        }
        var status = await db.BaselineRuns.Where(r => r.Id == runId).Select(r => r.Status).SingleAsync(cancellationToken);
        return status == BaselineRunStatus.Cancelled ? LeaseResult.CancelledByOrganizer : LeaseResult.Lost;
    }

    // Only the files of a run this lease holds, for the worker that took the lease.
    public async Task<(Stream Content, string FileName)?> OpenFileAsync(long runId, int? workerId, string leaseId, int dataFileId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var run = await db.BaselineRuns.AsNoTracking().SingleOrDefaultAsync(r => r.Id == runId && r.LeaseId == leaseId && r.WorkerId == workerId && r.Status == BaselineRunStatus.Running, cancellationToken);
        if (run is null)
        {
            return null;
        }
        var (leased, _) = await DescribeAsync(db, run, cancellationToken);
        if (leased?.Files.Any(f => f.Id == dataFileId) != true)
        {
            return null;
        }
        var file = await db.DataFiles.AsNoTracking().Include(f => f.StoredFile).SingleAsync(f => f.Id == dataFileId, cancellationToken);
        return (files.OpenRead(file.StoredFile!.StorageKey), file.FileName);
    }

    // Stores the predictions as the baseline team's submission and queues its scoring; the run
    // succeeds in the same transaction, so a run is never finished twice nor without its submission.
    public async Task<LeaseResult> CompleteAsync(long runId, int? workerId, string leaseId, Stream content, string fileName, IReadOnlyList<string> log, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var run = await db.BaselineRuns.AsNoTracking().SingleOrDefaultAsync(r => r.Id == runId && r.LeaseId == leaseId && r.WorkerId == workerId, cancellationToken);
        if (run is null || run.Status != BaselineRunStatus.Running)
        {
            return await RefusalAsync(db, runId, workerId, leaseId, cancellationToken);
        }
        var task = await db.Tasks.AsNoTracking().SingleAsync(t => t.Id == run.TaskId, cancellationToken);

        StoredContent stored;
        try
        {
            stored = await files.SaveAsync(content, "submissions", task.MaxSubmissionBytes, cancellationToken);
        }
        catch (FileTooLargeException tooLarge)
        {
            return LeaseResult.Invalid(tooLarge.Message);
        }

        var committed = false;
        try
        {
            var now = clock.GetUtcNow().UtcDateTime;
            // Two runs of one model finishing at once would both create the model's baseline team
            // (one failing on the unique name): the team is found or made in a serialised unit of
            // its own first, so the transaction below only finds it.
            await dbFactory.RunSerializableAsync(writes, async (unit, cancellationToken) =>
            {
                await BaselineTeamAsync(unit, run, now, cancellationToken);
                await unit.Database.CommitTransactionAsync(cancellationToken);
                return true;
            }, () => false, cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var team = await BaselineTeamAsync(db, run, now, cancellationToken);
            var file = new StoredFile { StorageKey = stored.StorageKey, OriginalName = fileName, Length = stored.Length, Sha256 = stored.Sha256, CreatedAtUtc = now };
            var submission = new Submission
            {
                CompetitionId = run.CompetitionId,
                TaskId = run.TaskId,
                TeamId = team.Id,
                SubmittedById = run.RequestedById,
                StoredFile = file,
                FileName = fileName,
                Description = Describe(run),
                Status = SubmissionStatus.Queued,
                CreatedAtUtc = now,
                QuotaDay = SubmissionService.QuotaDayOf(now),
                CountsAgainstQuota = false,
                IsBaseline = true,
            };
            db.StoredFiles.Add(file);
            db.Submissions.Add(submission);
            await db.SaveChangesAsync(cancellationToken);

            var newLog = AppendLog(run.Log, [.. log, $"predictions uploaded as submission {submission.Id}"]);
            var finished = await db.BaselineRuns.Where(r => r.Id == runId && r.LeaseId == leaseId && r.WorkerId == workerId && r.Status == BaselineRunStatus.Running)
                .ExecuteUpdateAsync(r => r
                    .SetProperty(x => x.Status, BaselineRunStatus.Succeeded)
                    .SetProperty(x => x.SubmissionId, submission.Id)
                    .SetProperty(x => x.FinishedAtUtc, now)
                    .SetProperty(x => x.LeaseExpiresAtUtc, (DateTime?)null)
                    .SetProperty(x => x.Fraction, 1)
                    .SetProperty(x => x.Log, newLog), cancellationToken);
            if (finished != 1)
            {
                await transaction.RollbackAsync(cancellationToken);
                await files.DeleteAsync(stored.StorageKey);
                var status = await db.BaselineRuns.Where(r => r.Id == runId).Select(r => r.Status).SingleAsync(cancellationToken);
                return status == BaselineRunStatus.Cancelled ? LeaseResult.CancelledByOrganizer : LeaseResult.Lost;
            }
            await transaction.CommitAsync(cancellationToken);
            committed = true;

            try
            {
                await scoringQueue.EnqueueAsync(submission.Id, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogWarning(exception, "Baseline submission {SubmissionId} is stored but could not be queued now; the sweeper will queue it", submission.Id);
            }
            return new LeaseResult(LeaseOutcome.Accepted, null, null, submission.Id);
        }
        finally
        {
            if (!committed)
            {
                await files.DeleteAsync(stored.StorageKey);
            }
        }
    }

    public async Task<LeaseResult> FailAsync(long runId, int? workerId, string leaseId, string message, IReadOnlyList<string> log, CancellationToken cancellationToken = default)
    {
        if (Validate([], log) is { } problem)
        {
            return LeaseResult.Invalid(problem);
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var text = string.IsNullOrWhiteSpace(message) ? "The worker reported a failure without a message." : message.Trim();
        return await FinishAsync(db, runId, workerId, leaseId, BaselineRunStatus.Failed, Clip(text, BaselineRules.MaxMessageChars)!, log, cancellationToken)
            ? new LeaseResult(LeaseOutcome.Accepted)
            : await RefusalAsync(db, runId, workerId, leaseId, cancellationToken);
    }

    // A worker stopping cleanly (Ctrl+C) gives its run back at once, without using up an attempt.
    public async Task<LeaseResult> ReleaseAsync(long runId, int? workerId, string leaseId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var run = await db.BaselineRuns.AsNoTracking().SingleOrDefaultAsync(r => r.Id == runId && r.LeaseId == leaseId && r.WorkerId == workerId && r.Status == BaselineRunStatus.Running, cancellationToken);
        if (run is null)
        {
            return await RefusalAsync(db, runId, workerId, leaseId, cancellationToken);
        }
        var newLog = AppendLog(run.Log, ["the worker stopped and gave the run back to the queue"]);
        var released = await db.BaselineRuns.Where(r => r.Id == runId && r.LeaseId == leaseId && r.WorkerId == workerId && r.Status == BaselineRunStatus.Running)
            .ExecuteUpdateAsync(r => r
                .SetProperty(x => x.Status, BaselineRunStatus.Queued)
                .SetProperty(x => x.LeaseId, (string?)null)
                .SetProperty(x => x.LeaseExpiresAtUtc, (DateTime?)null)
                .SetProperty(x => x.Attempts, x => x.Attempts - 1)
                .SetProperty(x => x.Log, newLog), cancellationToken);
        return released == 1 ? new LeaseResult(LeaseOutcome.Accepted) : await RefusalAsync(db, runId, workerId, leaseId, cancellationToken);
    }

    // Runs whose worker stopped reporting go back to the queue, or fail after MaxAttempts leases.
    // Each change is conditional on the lease it saw, so a report arriving meanwhile wins.
    public async Task<int> RequeueExpiredAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var maxAttempts = options.Value.MaxAttempts;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var expired = await db.BaselineRuns.AsNoTracking()
            .Where(r => r.Status == BaselineRunStatus.Running && r.LeaseExpiresAtUtc < now)
            .OrderBy(r => r.Id).Take(100).ToListAsync(cancellationToken);
        var changed = 0;
        foreach (var run in expired)
        {
            var giveUp = run.Attempts >= maxAttempts;
            var line = giveUp
                ? $"the worker stopped reporting; {run.Attempts} attempts used, the run fails"
                : $"the worker stopped reporting (lease expired at {run.LeaseExpiresAtUtc:yyyy-MM-dd HH:mm:ss} UTC); back in the queue";
            var newLog = AppendLog(run.Log, [line]);
            var leaseId = run.LeaseId;
            var leaseExpires = run.LeaseExpiresAtUtc;
            changed += await db.BaselineRuns
                .Where(r => r.Id == run.Id && r.LeaseId == leaseId && r.Status == BaselineRunStatus.Running && r.LeaseExpiresAtUtc == leaseExpires)
                .ExecuteUpdateAsync(r =>
                {
                    r.SetProperty(x => x.LeaseId, (string?)null)
                        .SetProperty(x => x.LeaseExpiresAtUtc, (DateTime?)null)
                        .SetProperty(x => x.Log, newLog);
                    if (giveUp)
                    {
                        r.SetProperty(x => x.Status, BaselineRunStatus.Failed)
                            .SetProperty(x => x.FinishedAtUtc, now)
                            .SetProperty(x => x.Message, $"Workers stopped reporting on this run {run.Attempts} times (each lease lasts {options.Value.LeaseSeconds} s); it is not retried again.");
                    }
                    else
                    {
                        r.SetProperty(x => x.Status, BaselineRunStatus.Queued);
                    }
                }, cancellationToken);
            if (!giveUp)
            {
                logger.LogWarning("Baseline run {RunId}: the worker stopped reporting; the run is queued again", run.Id);
            }
        }
        return changed;
    }

    public static IReadOnlyList<LossPoint> ReadCurve(string json) =>
        JsonSerializer.Deserialize<List<LossPoint>>(json, CurveJson) ?? [];

    internal static string? Validate(IReadOnlyList<ProgressReport> progress, IReadOnlyList<string> log)
    {
        if (progress.Count > BaselineRules.MaxProgressPerReport)
        {
            return $"progress: at most {BaselineRules.MaxProgressPerReport} entries per report, not {progress.Count}.";
        }
        if (log.Count > BaselineRules.MaxLogLinesPerReport)
        {
            return $"log: at most {BaselineRules.MaxLogLinesPerReport} lines per report, not {log.Count}.";
        }
        for (var i = 0; i < log.Count; i++)
        {
            if (log[i] is null || log[i].Length > BaselineRules.MaxLogLineChars)
            {
                return $"log[{i}]: a line of at most {BaselineRules.MaxLogLineChars} characters is expected.";
            }
        }
        for (var i = 0; i < progress.Count; i++)
        {
            var p = progress[i];
            var at = $"progress[{i}]";
            if (p is null)
            {
                return $"{at}: an object is expected.";
            }
            if (string.IsNullOrWhiteSpace(p.Stage) || p.Stage.Length > 100)
            {
                return $"{at}.stage: a name of 1 to 100 characters is expected.";
            }
            if (p.Epochs < 1 || p.Epoch < 1 || p.Epoch > p.Epochs)
            {
                return $"{at}.epoch: {p.Epoch} of {p.Epochs} is not an epoch between 1 and epochs.";
            }
            if (p.Batches < 1 || p.Batch < 0 || p.Batch > p.Batches)
            {
                return $"{at}.batch: {p.Batch} of {p.Batches} is not a batch between 0 and batches.";
            }
            if (!double.IsFinite(p.Loss) || p.Loss < 0)
            {
                return $"{at}.loss: a finite number of at least 0 is expected, not {p.Loss.ToString(CultureInfo.InvariantCulture)}.";
            }
            if (p.ValidationAccuracy is { } accuracy && (!double.IsFinite(accuracy) || accuracy < 0 || accuracy > 1))
            {
                return $"{at}.validationAccuracy: a number between 0 and 1 is expected, not {accuracy.ToString(CultureInfo.InvariantCulture)}.";
            }
            if (!double.IsFinite(p.ExamplesPerSecond) || p.ExamplesPerSecond < 0)
            {
                return $"{at}.examplesPerSecond: a finite number of at least 0 is expected.";
            }
            if (!double.IsFinite(p.EtaSeconds) || p.EtaSeconds < 0)
            {
                return $"{at}.etaSeconds: a finite number of at least 0 is expected.";
            }
            if (p.Device is null || p.Device.Length > 200)
            {
                return $"{at}.device: a description of at most 200 characters is expected.";
            }
        }
        return null;
    }

    private static double Fraction(ProgressReport p) =>
        Math.Clamp(((p.Epoch - 1) * (double)p.Batches + p.Batch) / ((double)p.Epochs * p.Batches), 0, 1);

    // X continues across stages (pseudo-labelling trains a teacher, then a student), and the curve
    // is thinned to every other point when it grows past its bound, keeping its shape.
    internal static string AppendCurve(string json, IReadOnlyList<ProgressReport> progress)
    {
        if (progress.Count == 0)
        {
            return json;
        }
        var points = ReadCurve(json).ToList();
        foreach (var p in progress)
        {
            var x = p.Epoch - 1 + (double)p.Batch / p.Batches;
            var last = points.Count > 0 ? points[^1] : null;
            var offset = last is null ? 0 : last.Stage == p.Stage ? last.X - LocalX(last, points) : last.X;
            var point = new LossPoint(Math.Round(offset + x, 4), p.Loss, p.ValidationAccuracy, p.Stage);
            if (last is not null && last.Stage == p.Stage && point.X <= last.X)
            {
                continue;
            }
            points.Add(point);
        }
        if (points.Count > BaselineRules.MaxCurvePoints)
        {
            points = points.Where((p, i) => i % 2 == 0 || p.ValidationAccuracy is not null || i == points.Count - 1).ToList();
        }
        return JsonSerializer.Serialize(points, CurveJson);
    }

    // Where the last point's stage started on the X axis, so that X keeps counting epochs.
    private static double LocalX(LossPoint last, List<LossPoint> points)
    {
        var start = points.FindLastIndex(p => p.Stage != last.Stage);
        return last.X - (start < 0 ? 0 : points[start].X);
    }

    internal static string AppendLog(string log, IEnumerable<string> lines)
    {
        var text = string.Concat(lines.Select(l => l.TrimEnd('\r', '\n') + "\n"));
        if (text.Length == 0)
        {
            return log;
        }
        var all = log + text;
        if (all.Length <= BaselineRules.MaxLogChars)
        {
            return all;
        }
        const string marker = "[earlier lines dropped]\n";
        var tail = all[^(BaselineRules.MaxLogChars - marker.Length)..];
        var cut = tail.IndexOf('\n');
        return marker + (cut >= 0 ? tail[(cut + 1)..] : tail);
    }

    private async Task AppendLogAsync(ChallengeDbContext db, BaselineRun run, IEnumerable<string> lines, CancellationToken cancellationToken)
    {
        var newLog = AppendLog(run.Log, lines);
        var leaseId = run.LeaseId;
        await db.BaselineRuns.Where(r => r.Id == run.Id && r.LeaseId == leaseId)
            .ExecuteUpdateAsync(r => r.SetProperty(x => x.Log, newLog), cancellationToken);
    }

    private async Task<bool> FinishAsync(ChallengeDbContext db, long runId, int? workerId, string leaseId, BaselineRunStatus status, string message, IReadOnlyList<string> log, CancellationToken cancellationToken)
    {
        var run = await db.BaselineRuns.AsNoTracking().SingleOrDefaultAsync(r => r.Id == runId && r.LeaseId == leaseId && r.WorkerId == workerId, cancellationToken);
        if (run is null)
        {
            return false;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var newLog = AppendLog(run.Log, log);
        return await db.BaselineRuns.Where(r => r.Id == runId && r.LeaseId == leaseId && r.WorkerId == workerId && r.Status == BaselineRunStatus.Running)
            .ExecuteUpdateAsync(r => r
                .SetProperty(x => x.Status, status)
                .SetProperty(x => x.Message, message)
                .SetProperty(x => x.FinishedAtUtc, now)
                .SetProperty(x => x.LeaseExpiresAtUtc, (DateTime?)null)
                .SetProperty(x => x.Log, newLog), cancellationToken) == 1;
    }

    // A lease binds the run to the worker that took it: another worker naming it (a leaked or
    // guessed lease id) learns nothing and changes nothing, as if the run did not exist. The worker
    // that held it hears that the lease is lost or that the run was cancelled.
    private static async Task<LeaseResult> RefusalAsync(ChallengeDbContext db, long runId, int? workerId, string leaseId, CancellationToken cancellationToken)
    {
        var run = await db.BaselineRuns.Where(r => r.Id == runId).Select(r => new { r.Status, r.LeaseId, r.WorkerId }).SingleOrDefaultAsync(cancellationToken);
        if (run is not null && run.LeaseId == leaseId && run.WorkerId != workerId)
        {
            return LeaseResult.NotFound;
        }
        return run?.Status == BaselineRunStatus.Cancelled ? LeaseResult.CancelledByOrganizer : LeaseResult.Lost;
    }

    // The run as a worker needs it, or why it cannot be trained.
    private async Task<(LeasedRun? Run, string? Problem)> DescribeAsync(ChallengeDbContext db, BaselineRun run, CancellationToken cancellationToken)
    {
        var task = await db.Tasks.AsNoTracking().SingleAsync(t => t.Id == run.TaskId, cancellationToken);
        // A probability submission has one column per class of the task, in the order the
        // sample submission uses; the worker writes exactly those.
        IReadOnlyList<string> classes = [];
        if (task.Kind == TaskKind.Probability)
        {
            if (task.SolutionFileId is null)
            {
                return (null, $"Task '{task.Slug}' has no solution yet, and a probability baseline takes its class columns from it; upload the solution and queue a new run.");
            }
            classes = (await solutions.GetAsync(task, cancellationToken)).Classes;
        }
        var slug = await db.Competitions.Where(c => c.Id == run.CompetitionId).Select(c => c.Slug).SingleAsync(cancellationToken);
        var dataFiles = await db.DataFiles.AsNoTracking().Include(f => f.StoredFile).Where(f => f.CompetitionId == run.CompetitionId).ToListAsync(cancellationToken);
        var train = dataFiles.FirstOrDefault(f => f.Id == run.TrainFileId);
        var test = dataFiles.FirstOrDefault(f => f.Id == run.TestFileId);
        var unlabelled = run.UnlabelledFileId is null ? null : dataFiles.FirstOrDefault(f => f.Id == run.UnlabelledFileId);
        if (train is null || test is null || (run.UnlabelledFileId is not null && unlabelled is null))
        {
            return (null, "A data file of this run was removed; queue a new run.");
        }
        var leased = new List<LeasedFile> { Leased(train, "train"), Leased(test, "test") };
        if (unlabelled is not null)
        {
            leased.Add(Leased(unlabelled, "unlabelled"));
        }
        // IDX images are read with the labels file of the matching name beside them.
        foreach (var images in new[] { train, test, unlabelled })
        {
            if (images is not null && images.FileName.Contains("images-idx3", StringComparison.Ordinal)
                && dataFiles.FirstOrDefault(f => f.FileName == images.FileName.Replace("images-idx3", "labels-idx1", StringComparison.Ordinal)) is { } labels
                && leased.All(l => l.Id != labels.Id))
            {
                leased.Add(Leased(labels, "labels"));
            }
        }
        return (new LeasedRun(run, slug, task.Slug, task.IdColumn, task.TargetColumn, leased, options.Value.Lease, options.Value.HeartbeatInterval, task.Kind, classes), null);
    }

    private static LeasedFile Leased(DataFile file, string role) => new(file.Id, role, file.FileName, file.StoredFile!.Length, file.StoredFile.Sha256);

    private static string Describe(BaselineRun run) =>
        $"Baseline {run.Model}, {run.Epochs} epochs, seed {run.Seed} (run {run.Id})";

    private static async Task<Team> BaselineTeamAsync(ChallengeDbContext db, BaselineRun run, DateTime now, CancellationToken cancellationToken)
    {
        var name = $"Baseline: {run.Model}";
        var existing = await db.Teams.Where(t => t.CompetitionId == run.CompetitionId && (t.Name == name || t.Name == name + " (reference)"))
            .OrderByDescending(t => t.IsBaseline).ToListAsync(cancellationToken);
        if (existing.FirstOrDefault(t => t.IsBaseline) is { } team)
        {
            return team;
        }
        team = new Team
        {
            CompetitionId = run.CompetitionId,
            Name = existing.Count == 0 ? name : name + " (reference)",
            InviteCode = Guid.NewGuid().ToString("N")[..16],
            CreatedAtUtc = now,
            IsBaseline = true,
        };
        db.Teams.Add(team);
        await db.SaveChangesAsync(cancellationToken);
        return team;
    }

    private static string? Clip(string? text, int max) => text is null ? null : text.Length > max ? text[..max] : text;
}
