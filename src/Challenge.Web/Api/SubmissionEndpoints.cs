using System.Security.Claims;
using Challenge.Core.Challenges;
using Challenge.Core.Submissions;
using Challenge.Core.Tasks;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Challenge.Web.Api;

internal static class SubmissionEndpoints
{
    public const string UploadRateLimit = "uploads";

    public static RouteGroupBuilder MapSubmissionEndpoints(this RouteGroupBuilder api)
    {
        // Writes take an API token only: no cookie, so no cross-site request can submit for someone.
        var challenge = api.MapChallengeGroup();
        challenge.MapPost("/tasks/{task}/submissions", SubmitAsync)
            .RequireAuthorization(ApiAuthorization.TokenOnly)
            .DisableAntiforgery()
            .AllowLargeUploads()
            .RequireRateLimiting(UploadRateLimit)
            .WithName("Submit")
            .WithSummary("Upload a prediction file (raw body with ?fileName=, or multipart form); ?description= is optional.");
        challenge.MapGet("/submissions", ListMineAsync).RequireAuthorization(ApiAuthorization.TokenOrCookie).WithName("ListMySubmissions").WithSummary("The caller's team's submissions to the challenge, newest first.");
        api.MapGet("/submissions/{id:long}", GetAsync).RequireAuthorization(ApiAuthorization.TokenOrCookie).WithName("GetSubmission").WithSummary("One submission of the caller's team (or, for organizers, any): status, scores, errors with their lines.");
        return api;
    }

    private static async Task<Results<Accepted<SubmissionAcceptedDto>, ProblemHttpResult>> SubmitAsync(
        ChallengeRoute route, string? description, HttpRequest request, ClaimsPrincipal user,
        SubmissionService submissions, TimeProvider clock, CancellationToken cancellationToken)
    {
        var target = route.Task!;
        var (content, fileName, error) = await UploadBody.OpenAsync(request, "submission.csv");
        if (content is null)
        {
            return TypedResults.Problem(statusCode: 400, title: "Bad request", detail: error);
        }
        var result = await submissions.SubmitAsync(target.Id, user.UserId()!, content, fileName, description ?? "", cancellationToken);
        if (result.Submission is not { } submission)
        {
            var status = result.Refusal switch
            {
                SubmitRefusal.QuotaExhausted => StatusCodes.Status429TooManyRequests,
                SubmitRefusal.TooLarge => StatusCodes.Status413PayloadTooLarge,
                SubmitRefusal.NotFound => StatusCodes.Status404NotFound,
                SubmitRefusal.NotInTeam or SubmitRefusal.RulesNotAccepted or SubmitRefusal.Disqualified => StatusCodes.Status403Forbidden,
                _ => StatusCodes.Status409Conflict,
            };
            if (result.Refusal == SubmitRefusal.QuotaExhausted)
            {
                // The daily quota resets at midnight UTC.
                var now = clock.GetUtcNow().UtcDateTime;
                var untilMidnight = now.Date.AddDays(1) - now;
                request.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(untilMidnight.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            return TypedResults.Problem(statusCode: status, title: result.Refusal.ToString(), detail: result.Message);
        }
        var url = $"/api/submissions/{submission.Id}";
        return TypedResults.Accepted(url, new SubmissionAcceptedDto(submission.Id, "queued", url));
    }

    private static async Task<Results<Ok<List<SubmissionDto>>, ProblemHttpResult>> ListMineAsync(
        ChallengeRoute route, ClaimsPrincipal user, SubmissionReads reads, CancellationToken cancellationToken)
    {
        var mine = await reads.ListMineAsync(route.Challenge, user, cancellationToken);
        return TypedResults.Ok(mine.Select(v => SubmissionDto.From(v.Submission, v.TaskSlug, v.PrivateVisible)).ToList());
    }

    private static async Task<Results<Ok<SubmissionDto>, ProblemHttpResult>> GetAsync(long id, ClaimsPrincipal user, SubmissionReads reads, CancellationToken cancellationToken)
    {
        var read = await reads.GetAsync(id, user, cancellationToken);
        return read.Value is { } view
            ? TypedResults.Ok(SubmissionDto.From(view.Submission, view.TaskSlug, view.PrivateVisible))
            : read.ToProblem();
    }
}
