using System.Net;
using Challenge.Core.Baselines;
using LeaseDto = Challenge.Web.Api.LeaseDto;
using Challenge.Worker.Server;

namespace Challenge.Web.Baselines;

/// <summary>
/// The worker protocol spoken to the queue in the same process: the calls an outside worker makes
/// over HTTP, with the same lease checks and the same refusals (a lost lease is a 409, as the
/// endpoints answer), so <see cref="Worker.Commands.WorkLoop"/> cannot tell the two apart. The
/// embedded worker has no worker row: its leases bind to no worker id.
/// </summary>
internal sealed class EmbeddedRunServer(BaselineQueue queue) : IRunServer
{
    private static readonly int? Embedded = null;

    public async Task<Lease?> LeaseAsync(bool cuda, CancellationToken cancellationToken)
    {
        var leased = await queue.LeaseAsync(Embedded, cuda, cancellationToken);
        if (leased is null)
        {
            return null;
        }
        var dto = LeaseDto.From(leased);
        return new Lease(dto.RunId, dto.LeaseId, dto.LeaseSeconds, dto.HeartbeatSeconds, dto.Challenge, dto.Task, dto.IdColumn, dto.TargetColumn,
            dto.Model, dto.Epochs, dto.Device, dto.Seed, dto.Attempt,
            dto.Files.Select(f => new LeaseFile(f.Id, f.Role, f.FileName, f.Length, f.Sha256, f.Url)).ToList(), dto.Kind, dto.Classes);
    }

    public async Task DownloadAsync(Lease lease, LeaseFile file, string path, CancellationToken cancellationToken)
    {
        var opened = await queue.OpenFileAsync(lease.RunId, Embedded, lease.LeaseId, file.Id, cancellationToken)
            ?? throw new ServerException($"No file {file.Id} in a run that lease {lease.LeaseId} holds.", HttpStatusCode.NotFound);
        var partial = path + ".part";
        await using (var source = opened.Content)
        await using (var target = File.Create(partial))
        {
            await source.CopyToAsync(target, cancellationToken);
        }
        File.Move(partial, path, overwrite: true);
    }

    public async Task<ReportResponse> ReportAsync(Lease lease, ReportRequest report, CancellationToken cancellationToken)
    {
        var progress = report.Progress.Select(p => new ProgressReport(p.Stage, p.Epoch, p.Epochs, p.Batch, p.Batches, p.Loss, p.ValidationAccuracy,
            p.ExamplesPerSecond, p.EtaSeconds, p.Device)).ToList();
        var result = await queue.ReportAsync(lease.RunId, Embedded, lease.LeaseId, progress, report.Log, cancellationToken);
        return result.Outcome switch
        {
            LeaseOutcome.Accepted => new ReportResponse(false, result.LeaseExpiresAtUtc),
            LeaseOutcome.Cancelled => new ReportResponse(true, null),
            _ => throw Refusal(result),
        };
    }

    public async Task<PredictionsAccepted> UploadPredictionsAsync(Lease lease, string path, CancellationToken cancellationToken)
    {
        await using var content = File.OpenRead(path);
        var result = await queue.CompleteAsync(lease.RunId, Embedded, lease.LeaseId, content, $"baseline-{lease.Model}-run{lease.RunId}.csv", [], cancellationToken);
        return result is { Outcome: LeaseOutcome.Accepted, SubmissionId: { } submissionId }
            ? new PredictionsAccepted(submissionId, $"/api/submissions/{submissionId}")
            : throw Refusal(result);
    }

    public async Task FailAsync(Lease lease, FailRequest failure, CancellationToken cancellationToken)
    {
        var result = await queue.FailAsync(lease.RunId, Embedded, lease.LeaseId, failure.Message, failure.Log, cancellationToken);
        if (result.Outcome != LeaseOutcome.Accepted)
        {
            throw Refusal(result);
        }
    }

    public async Task ReleaseAsync(Lease lease, CancellationToken cancellationToken)
    {
        var result = await queue.ReleaseAsync(lease.RunId, Embedded, lease.LeaseId, cancellationToken);
        if (result.Outcome != LeaseOutcome.Accepted)
        {
            throw Refusal(result);
        }
    }

    // The statuses WorkerEndpoints answers for the same outcomes.
    private static ServerException Refusal(LeaseResult result) => new(result.Message ?? result.Outcome.ToString(), result.Outcome switch
    {
        LeaseOutcome.Invalid => HttpStatusCode.BadRequest,
        LeaseOutcome.NotFound => HttpStatusCode.NotFound,
        _ => HttpStatusCode.Conflict,
    });
}
