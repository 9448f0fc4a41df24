using System.Security.Claims;
using Challenge.Core.Baselines;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Challenge.Web.Api;

// The protocol of baseline workers: register, lease a run, download its data, report progress
// (which keeps the lease alive and answers whether the run was cancelled), upload the predictions
// or report a failure, or give the run back. Every route but register and lease names the lease.
internal static class WorkerEndpoints
{
    public const string LeaseHeader = "X-Lease-Id";

    public static RouteGroupBuilder MapWorkerEndpoints(this RouteGroupBuilder api)
    {
        var workers = api.MapGroup("/workers").WithTags("Workers")
            .RequireAuthorization(WorkerTokenAuthenticationHandler.Policy).DisableAntiforgery();
        workers.MapPost("/register", RegisterAsync).WithName("RegisterWorker")
            .WithSummary("Say who this worker is; answers the lease length and how often to report.");
        workers.MapPost("/lease", LeaseAsync).WithName("LeaseBaselineRun")
            .WithSummary("Take the oldest queued baseline run this worker may serve; 204 when there is none.");
        workers.MapGet("/runs/{id:long}/files/{fileId:int}", DownloadAsync).WithName("DownloadRunFile")
            .WithSummary("One data file of a leased run (header X-Lease-Id).");
        workers.MapPost("/runs/{id:long}/report", ReportAsync).WithName("ReportBaselineProgress")
            .WithSummary("Progress and log lines since the last report; extends the lease; answers cancelled=true when an organizer cancelled the run.");
        workers.MapPost("/runs/{id:long}/predictions", UploadPredictionsAsync).AllowLargeUploads().WithName("UploadBaselinePredictions")
            .WithSummary("The predictions CSV (raw body); it becomes the baseline team's submission and the run succeeds.");
        workers.MapPost("/runs/{id:long}/fail", FailAsync).WithName("FailBaselineRun")
            .WithSummary("The run failed on this worker; the message is shown to the organizers.");
        workers.MapPost("/runs/{id:long}/release", ReleaseAsync).WithName("ReleaseBaselineRun")
            .WithSummary("The worker is stopping: the run goes back to the queue without using up an attempt.");
        return api;
    }

    private static async Task<Ok<WorkerInfoDto>> RegisterAsync(WorkerRegistrationRequest? request, ClaimsPrincipal user, BaselineQueue queue, CancellationToken cancellationToken)
    {
        var worker = await queue.RegisterAsync(user.WorkerId(), request?.Machine, request?.Devices, cancellationToken);
        return TypedResults.Ok(new WorkerInfoDto(worker.Id, worker.Name, worker.AllChallenges, queue.Options.LeaseSeconds, (int)queue.Options.HeartbeatInterval.TotalSeconds));
    }

    private static async Task<Results<Ok<LeaseDto>, NoContent>> LeaseAsync(LeaseRequest? request, ClaimsPrincipal user, BaselineQueue queue, CancellationToken cancellationToken)
    {
        var leased = await queue.LeaseAsync(user.WorkerId(), request?.Cuda ?? false, cancellationToken);
        return leased is null ? TypedResults.NoContent() : TypedResults.Ok(LeaseDto.From(leased));
    }

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> DownloadAsync(
        long id, int fileId, [FromHeader(Name = LeaseHeader)] string? leaseId, ClaimsPrincipal user, BaselineQueue queue, CancellationToken cancellationToken)
    {
        var opened = string.IsNullOrEmpty(leaseId) ? null : await queue.OpenFileAsync(id, user.WorkerId(), leaseId, fileId, cancellationToken);
        if (opened is not { } file)
        {
            return TypedResults.Problem(statusCode: 404, title: "Not found", detail: $"No file {fileId} in a run that lease {leaseId} holds.");
        }
        return TypedResults.Stream(file.Content, "application/octet-stream", file.FileName);
    }

    private static async Task<Results<Ok<ReportResponse>, ProblemHttpResult>> ReportAsync(
        long id, [FromHeader(Name = LeaseHeader)] string? leaseId, ReportRequest? request, ClaimsPrincipal user, BaselineQueue queue, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(leaseId))
        {
            return MissingLease();
        }
        var result = await queue.ReportAsync(id, user.WorkerId(), leaseId, request?.Progress ?? [], request?.Log ?? [], cancellationToken);
        return result.Outcome switch
        {
            LeaseOutcome.Accepted => TypedResults.Ok(new ReportResponse(false, result.LeaseExpiresAtUtc)),
            LeaseOutcome.Cancelled => TypedResults.Ok(new ReportResponse(true, null)),
            _ => Problem(result),
        };
    }

    private static async Task<Results<Accepted<PredictionsAcceptedDto>, ProblemHttpResult>> UploadPredictionsAsync(
        long id, [FromHeader(Name = LeaseHeader)] string? leaseId, HttpRequest request, ClaimsPrincipal user, BaselineQueue queue, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(leaseId))
        {
            return MissingLease();
        }
        var (content, fileName, error) = await UploadBody.OpenAsync(request, "predictions.csv");
        if (content is null)
        {
            return TypedResults.Problem(statusCode: 400, title: "Bad request", detail: error);
        }
        var result = await queue.CompleteAsync(id, user.WorkerId(), leaseId, content, SafeName(fileName), [], cancellationToken);
        if (result is { Outcome: LeaseOutcome.Accepted, SubmissionId: { } submissionId })
        {
            var url = $"/api/submissions/{submissionId}";
            return TypedResults.Accepted(url, new PredictionsAcceptedDto(submissionId, url));
        }
        return Problem(result);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> FailAsync(
        long id, [FromHeader(Name = LeaseHeader)] string? leaseId, FailRequest? request, ClaimsPrincipal user, BaselineQueue queue, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(leaseId))
        {
            return MissingLease();
        }
        var result = await queue.FailAsync(id, user.WorkerId(), leaseId, request?.Message ?? "", request?.Log ?? [], cancellationToken);
        return result.Outcome == LeaseOutcome.Accepted ? TypedResults.NoContent() : Problem(result);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> ReleaseAsync(
        long id, [FromHeader(Name = LeaseHeader)] string? leaseId, ClaimsPrincipal user, BaselineQueue queue, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(leaseId))
        {
            return MissingLease();
        }
        var result = await queue.ReleaseAsync(id, user.WorkerId(), leaseId, cancellationToken);
        return result.Outcome == LeaseOutcome.Accepted ? TypedResults.NoContent() : Problem(result);
    }

    private static ProblemHttpResult MissingLease() =>
        TypedResults.Problem(statusCode: 400, title: "Bad request", detail: $"The {LeaseHeader} header naming the lease is missing.");

    private static ProblemHttpResult Problem(LeaseResult result) => result.Outcome switch
    {
        LeaseOutcome.Invalid => TypedResults.Problem(statusCode: 400, title: "Bad request", detail: result.Message),
        LeaseOutcome.NotFound => TypedResults.Problem(statusCode: 404, title: "Not found", detail: result.Message),
        LeaseOutcome.Cancelled => TypedResults.Problem(statusCode: 409, title: "Cancelled", detail: result.Message),
        _ => TypedResults.Problem(statusCode: 409, title: "Lease lost", detail: result.Message),
    };

    private static string SafeName(string fileName)
    {
        var name = Path.GetFileName(fileName.Replace('\\', '/'));
        return string.IsNullOrWhiteSpace(name) ? "predictions.csv" : name.Length > 200 ? name[^200..] : name;
    }
}
