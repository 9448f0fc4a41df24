using Challenge.Core.Access;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Challenge.Core.Accounts;
using Challenge.Core.Audit;
using Challenge.Core.Challenges;
using Challenge.Core.Data;
using Challenge.Core.Submissions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Baselines;

public sealed class BaselineRunInput
{
    public int TaskId { get; set; }
    public string Model { get; set; } = "cnn";
    public int Epochs { get; set; } = BaselineRules.ReferenceEpochs("cnn");
    public BaselineDevice Device { get; set; } = BaselineDevice.Auto;
    public int Seed { get; set; }
    public int? TrainFileId { get; set; }
    public int? TestFileId { get; set; }
    public int? UnlabelledFileId { get; set; }
}

public sealed record BaselineRunView(
    BaselineRun Run,
    string TaskSlug,
    string TrainFile,
    string TestFile,
    string? WorkerName,
    SubmissionStatus? SubmissionStatus,
    double? PublicScore,
    string? SubmissionFailure,
    // The baseline's submission, whose validation report says why a rejected file was refused.
    Submission? Submission = null);

public sealed record CreatedWorker(BaselineWorker Worker, string Secret);

// What organizers do with baselines: queue a run, watch it, cancel it; and the worker tokens.
public sealed class BaselineService(IDbContextFactory<ChallengeDbContext> dbFactory, SqliteWriteGate writes, TimeProvider clock, IAuthorizationService authorization)
{
    public const int MaxWorkersPerUser = 50;

    public async Task<(BaselineRun? Run, IReadOnlyDictionary<string, string> Errors)> CreateAsync(
        int competitionId, BaselineRunInput input, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var competition = await db.Competitions.AsNoTracking().SingleOrDefaultAsync(c => c.Id == competitionId, cancellationToken);
        if (competition is null || !await authorization.AllowsAsync(user, competition, AccessRules.ManageChallenge))
        {
            return (null, Error("", "This challenge does not exist or you may not manage it."));
        }

        var errors = new Dictionary<string, string>();
        var task = await db.Tasks.AsNoTracking().SingleOrDefaultAsync(t => t.Id == input.TaskId && t.CompetitionId == competitionId, cancellationToken);
        if (task is null)
        {
            errors[nameof(input.TaskId)] = "Choose a task of this challenge.";
        }
        else if (!BaselineRules.TaskKinds.Contains(task.Kind))
        {
            errors[nameof(input.TaskId)] = $"Baselines predict a label or class probabilities per image; task '{task.Slug}' expects {task.Kind} predictions.";
        }
        var model = (input.Model ?? "").Trim().ToLowerInvariant();
        if (!BaselineRules.Models.Contains(model))
        {
            errors[nameof(input.Model)] = $"Choose one of {string.Join(", ", BaselineRules.Models)}.";
        }
        if (input.Epochs is < 1 or > BaselineRules.MaxEpochs)
        {
            errors[nameof(input.Epochs)] = $"Epochs must be between 1 and {BaselineRules.MaxEpochs}.";
        }
        if (!Enum.IsDefined(input.Device))
        {
            errors[nameof(input.Device)] = "Choose auto, cpu or cuda.";
        }
        var fileIds = await db.DataFiles.Where(f => f.CompetitionId == competitionId).Select(f => f.Id).ToListAsync(cancellationToken);
        if (input.TrainFileId is not { } trainId || !fileIds.Contains(trainId))
        {
            errors[nameof(input.TrainFileId)] = "Choose the data file that holds the labelled training images.";
        }
        if (input.TestFileId is not { } testId || !fileIds.Contains(testId))
        {
            errors[nameof(input.TestFileId)] = "Choose the data file that holds the test images to predict.";
        }
        else if (testId == input.TrainFileId)
        {
            errors[nameof(input.TestFileId)] = "The test images must be another file than the training set.";
        }
        if (input.UnlabelledFileId is { } unlabelledId && !fileIds.Contains(unlabelledId))
        {
            errors[nameof(input.UnlabelledFileId)] = "Choose a data file of this challenge.";
        }
        if (model == "pseudo" && input.UnlabelledFileId is null)
        {
            errors[nameof(input.UnlabelledFileId)] = "Pseudo-labelling needs a file of unlabelled images.";
        }
        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var run = new BaselineRun
        {
            CompetitionId = competitionId,
            TaskId = input.TaskId,
            Model = model,
            Epochs = input.Epochs,
            Device = input.Device,
            Seed = input.Seed,
            TrainFileId = input.TrainFileId,
            TestFileId = input.TestFileId,
            UnlabelledFileId = model == "pseudo" ? input.UnlabelledFileId : null,
            RequestedById = user.UserId()!,
            Status = BaselineRunStatus.Queued,
            CreatedAtUtc = now,
            EpochCount = input.Epochs,
        };
        db.BaselineRuns.Add(run);
        db.Audit(competitionId, user.UserId(), "baseline.queued", $"{model}, {input.Epochs} epochs, device {input.Device.ToString().ToLowerInvariant()}, task {task!.Slug}", now);
        await db.SaveChangesAsync(cancellationToken);
        return (run, new Dictionary<string, string>());
    }

    // Null when the user may not manage the challenge.
    // The log and loss curve (up to some hundred kilobytes a run) are read only for the run named
    // by detailRunId, or for all runs when allDetails is set, as a page refreshing every few
    // seconds needs them for one run only.
    public async Task<IReadOnlyList<BaselineRunView>?> ListAsync(int competitionId, ClaimsPrincipal user, int take = 100,
        long? detailRunId = null, bool allDetails = true, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var competition = await db.Competitions.AsNoTracking().SingleOrDefaultAsync(c => c.Id == competitionId, cancellationToken);
        if (competition is null || !await authorization.AllowsAsync(user, competition, AccessRules.ManageChallenge))
        {
            return null;
        }
        var detail = detailRunId ?? -1;
        var runs = await db.BaselineRuns.AsNoTracking().Where(r => r.CompetitionId == competitionId)
            .OrderByDescending(r => r.Id).Take(take)
            .Select(r => new BaselineRun
            {
                Id = r.Id, CompetitionId = r.CompetitionId, TaskId = r.TaskId, Model = r.Model, Epochs = r.Epochs, Device = r.Device, Seed = r.Seed,
                TrainFileId = r.TrainFileId, TestFileId = r.TestFileId, UnlabelledFileId = r.UnlabelledFileId, RequestedById = r.RequestedById,
                Status = r.Status, CreatedAtUtc = r.CreatedAtUtc, StartedAtUtc = r.StartedAtUtc, FinishedAtUtc = r.FinishedAtUtc,
                WorkerId = r.WorkerId, LeaseExpiresAtUtc = r.LeaseExpiresAtUtc, LastHeartbeatAtUtc = r.LastHeartbeatAtUtc, Attempts = r.Attempts,
                Stage = r.Stage, Epoch = r.Epoch, EpochCount = r.EpochCount, Fraction = r.Fraction, Loss = r.Loss, ValidationAccuracy = r.ValidationAccuracy,
                ExamplesPerSecond = r.ExamplesPerSecond, EtaSeconds = r.EtaSeconds, DeviceUsed = r.DeviceUsed, Message = r.Message, SubmissionId = r.SubmissionId,
                LossCurveJson = allDetails || r.Id == detail ? r.LossCurveJson : "[]",
                Log = allDetails || r.Id == detail ? r.Log : "",
            })
            .ToListAsync(cancellationToken);
        var tasks = await db.Tasks.Where(t => t.CompetitionId == competitionId).ToDictionaryAsync(t => t.Id, t => t.Slug, cancellationToken);
        var files = await db.DataFiles.Where(f => f.CompetitionId == competitionId).ToDictionaryAsync(f => f.Id, f => f.FileName, cancellationToken);
        var workerIds = runs.Where(r => r.WorkerId is not null).Select(r => r.WorkerId!.Value).Distinct().ToList();
        var workers = await db.BaselineWorkers.Where(w => workerIds.Contains(w.Id)).ToDictionaryAsync(w => w.Id, w => w.Name, cancellationToken);
        var submissionIds = runs.Where(r => r.SubmissionId is not null).Select(r => r.SubmissionId!.Value).ToList();
        var submissions = await db.Submissions.AsNoTracking().Where(s => submissionIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, cancellationToken);
        return runs.Select(r =>
        {
            var submission = r.SubmissionId is { } id ? submissions.GetValueOrDefault(id) : null;
            return new BaselineRunView(r, tasks.GetValueOrDefault(r.TaskId, "?"), r.TrainFileId is { } train ? files.GetValueOrDefault(train, "(removed)") : "(removed)",
                r.TestFileId is { } test ? files.GetValueOrDefault(test, "(removed)") : "(removed)", r.WorkerId is { } w ? workers.GetValueOrDefault(w) : r.StartedAtUtc is null ? null : "the server (embedded)",
                submission?.Status, submission?.PublicScore, submission?.FailureMessage, submission);
        }).ToList();
    }

    // A queued run is cancelled at once; a running one too, and its worker learns it on its next
    // report and stops training.
    public async Task<string?> CancelAsync(long runId, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var run = await db.BaselineRuns.AsNoTracking().SingleOrDefaultAsync(r => r.Id == runId, cancellationToken);
        var competition = run is null ? null : await db.Competitions.AsNoTracking().SingleAsync(c => c.Id == run.CompetitionId, cancellationToken);
        if (run is null || !await authorization.AllowsAsync(user, competition!, AccessRules.ManageChallenge))
        {
            return "This run does not exist.";
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var cancelled = await db.BaselineRuns
            .Where(r => r.Id == runId && (r.Status == BaselineRunStatus.Queued || r.Status == BaselineRunStatus.Running))
            .ExecuteUpdateAsync(r => r
                .SetProperty(x => x.Status, BaselineRunStatus.Cancelled)
                .SetProperty(x => x.FinishedAtUtc, now)
                .SetProperty(x => x.LeaseExpiresAtUtc, (DateTime?)null)
                .SetProperty(x => x.Message, "Cancelled by an organizer."), cancellationToken);
        if (cancelled == 0)
        {
            return "The run has already finished.";
        }
        db.Audit(run.CompetitionId, user.UserId(), "baseline.cancelled", $"run {runId} ({run.Model})", now);
        await db.SaveChangesAsync(cancellationToken);
        return null;
    }

    public async Task<CreatedWorker?> CreateWorkerAsync(string name, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        var userId = user.UserId();
        if (userId is null || !(user.IsInRole(Roles.Admin) || user.IsInRole(Roles.Organizer)))
        {
            return null;
        }
        // The count and the new worker are one serialised unit, so parallel requests cannot pass the limit.
        return await dbFactory.RunSerializableAsync(writes, async (db, cancellationToken) =>
        {
            if (await db.BaselineWorkers.CountAsync(w => w.CreatedById == userId && w.RevokedAtUtc == null, cancellationToken) >= MaxWorkersPerUser)
            {
                return null;
            }
            var secret = BaselineRules.TokenPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).Replace('+', '-').Replace('/', '_').TrimEnd('=');
            var trimmed = (name ?? "").Trim();
            var worker = new BaselineWorker
            {
                Name = trimmed.Length == 0 ? "worker" : trimmed[..Math.Min(64, trimmed.Length)],
                Prefix = secret[..10],
                Hash = HashSecret(secret),
                CreatedById = userId,
                AllChallenges = user.IsInRole(Roles.Admin),
                CreatedAtUtc = clock.GetUtcNow().UtcDateTime,
            };
            db.BaselineWorkers.Add(worker);
            await db.SaveChangesAsync(cancellationToken);
            await db.Database.CommitTransactionAsync(cancellationToken);
            return new CreatedWorker(worker, secret);
        }, () => (CreatedWorker?)null, cancellationToken);
    }

    // Admins see every worker; organizers the ones they made.
    public async Task<IReadOnlyList<BaselineWorker>> ListWorkersAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        var userId = user.UserId();
        var admin = user.IsInRole(Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.BaselineWorkers.AsNoTracking().Where(w => admin || w.CreatedById == userId)
            .OrderByDescending(w => w.Id).ToListAsync(cancellationToken);
    }

    public async Task<bool> RevokeWorkerAsync(int workerId, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        var userId = user.UserId();
        var admin = user.IsInRole(Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.BaselineWorkers.Where(w => w.Id == workerId && w.RevokedAtUtc == null && (admin || w.CreatedById == userId))
            .ExecuteUpdateAsync(w => w.SetProperty(x => x.RevokedAtUtc, clock.GetUtcNow().UtcDateTime), cancellationToken) == 1;
    }

    internal static string HashSecret(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static Dictionary<string, string> Error(string field, string message) => new() { [field] = message };
}
