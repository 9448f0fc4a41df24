using Challenge.Core.Baselines;

namespace Challenge.Web.Api;

public sealed record WorkerRegistrationRequest(string? Machine, string? Devices);

public sealed record WorkerInfoDto(int Id, string Name, bool AllChallenges, int LeaseSeconds, int HeartbeatSeconds);

public sealed record LeaseRequest(bool Cuda);

public sealed record LeaseFileDto(int Id, string Role, string FileName, long Length, string Sha256, string Url);

public sealed record LeaseDto(
    long RunId,
    string LeaseId,
    int LeaseSeconds,
    int HeartbeatSeconds,
    string Challenge,
    string Task,
    string IdColumn,
    string TargetColumn,
    string Model,
    int Epochs,
    string Device,
    int Seed,
    int Attempt,
    IReadOnlyList<LeaseFileDto> Files,
    // "label" or "probability": what the predictions file holds.
    string Kind,
    // The columns of a probability file, in order (empty for labels).
    IReadOnlyList<string> Classes)
{
    public static LeaseDto From(LeasedRun leased) => new(
        leased.Run.Id, leased.Run.LeaseId!, (int)leased.Lease.TotalSeconds, (int)leased.HeartbeatInterval.TotalSeconds,
        leased.ChallengeSlug, leased.TaskSlug, leased.IdColumn, leased.TargetColumn, leased.Run.Model, leased.Run.Epochs,
        leased.Run.Device.ToString().ToLowerInvariant(), leased.Run.Seed, leased.Run.Attempts,
        leased.Files.Select(f => new LeaseFileDto(f.Id, f.Role, f.FileName, f.Length, f.Sha256, FileUrl(leased.Run.Id, f.Id))).ToList(),
        leased.Kind.ToString().ToLowerInvariant(), leased.Classes);

    public static string FileUrl(long runId, int fileId) => $"/api/workers/runs/{runId}/files/{fileId}";
}

public sealed record ReportRequest(IReadOnlyList<ProgressReport>? Progress, IReadOnlyList<string>? Log);

public sealed record ReportResponse(bool Cancelled, DateTime? LeaseExpiresAt);

public sealed record FailRequest(string? Message, IReadOnlyList<string>? Log);

public sealed record PredictionsAcceptedDto(long SubmissionId, string StatusUrl);

public sealed record BaselineRunRequest(
    string Task,
    string Model,
    int Epochs,
    string? Device,
    int? Seed,
    string TrainFile,
    string TestFile,
    string? UnlabelledFile);

public sealed record BaselineRunDto(
    long Id,
    string Task,
    string Model,
    int Epochs,
    string Device,
    int Seed,
    string TrainFile,
    string TestFile,
    string Status,
    int Attempts,
    string? Worker,
    string? DeviceUsed,
    string? Stage,
    int Epoch,
    int EpochCount,
    double Progress,
    double? Loss,
    double? ValidationAccuracy,
    double? ExamplesPerSecond,
    int? EtaSeconds,
    DateTime CreatedAt,
    DateTime? StartedAt,
    DateTime? FinishedAt,
    double? DurationSeconds,
    string? Message,
    long? SubmissionId,
    string? SubmissionStatus,
    double? PublicScore,
    IReadOnlyList<LossPoint> LossCurve,
    string Log)
{
    public static BaselineRunDto From(BaselineRunView view)
    {
        var run = view.Run;
        return new BaselineRunDto(
            run.Id, view.TaskSlug, run.Model, run.Epochs, run.Device.ToString().ToLowerInvariant(), run.Seed, view.TrainFile, view.TestFile,
            run.Status.ToString().ToLowerInvariant(), run.Attempts, view.WorkerName, run.DeviceUsed, run.Stage, run.Epoch, run.EpochCount, run.Fraction,
            run.Loss, run.ValidationAccuracy, run.ExamplesPerSecond, run.EtaSeconds, run.CreatedAtUtc, run.StartedAtUtc, run.FinishedAtUtc,
            run.Duration?.TotalSeconds, run.Message, run.SubmissionId, view.SubmissionStatus?.ToString().ToLowerInvariant(), view.PublicScore,
            BaselineQueue.ReadCurve(run.LossCurveJson), run.Log);
    }
}
