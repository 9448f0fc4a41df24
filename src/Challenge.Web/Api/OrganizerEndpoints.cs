using Challenge.Core.Access;
using System.Security.Claims;
using System.Text;
using Challenge.Core.Challenges;
using Challenge.Core.Data;
using Challenge.Core.Files;
using Challenge.Core.Tasks;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Web.Api;

internal static class OrganizerEndpoints
{
    public static RouteGroupBuilder MapOrganizerEndpoints(this RouteGroupBuilder api)
    {
        var managed = api.MapChallengeGroup(rule: AccessRules.ManageChallenge, refused: ChallengeRouteGroups.NotManaged);
        managed.MapPut("/tasks/{task}/solution", UploadSolutionAsync)
            .RequireAuthorization(ApiAuthorization.TokenOnly).DisableAntiforgery().AllowLargeUploads().RequireRateLimiting(SubmissionEndpoints.UploadRateLimit)
            .WithName("UploadSolution").WithSummary("Replace a task's hidden solution; the file is validated first and nothing changes when it is refused.");
        managed.MapPost("/data", UploadDataAsync)
            .RequireAuthorization(ApiAuthorization.TokenOnly).DisableAntiforgery().AllowLargeUploads().RequireRateLimiting(SubmissionEndpoints.UploadRateLimit)
            .WithName("UploadDataFile").WithSummary("Add or replace a participant data file (?fileName=, ?description=).");
        managed.MapGet("/submissions.csv", ExportSubmissionsAsync)
            .RequireAuthorization(ApiAuthorization.TokenOrCookie).WithName("ExportSubmissions").WithSummary("Every submission of the challenge as CSV, with both scores (organizers only).");
        managed.MapPost("/tasks/{task}/quota-grants", GrantQuotaAsync)
            .RequireAuthorization(ApiAuthorization.TokenOnly).DisableAntiforgery()
            .WithName("GrantExtraSubmissions").WithSummary("Give one team extra submissions on the task for today only, with a reason kept in the audit log: { teamId, extra, reason }.");
        api.MapChallengeSettingsEndpoints();
        api.MapBundleEndpoints();
        return api;
    }

    internal sealed record QuotaGrantRequest(int TeamId, int Extra, string? Reason);

    private static async Task<IResult> GrantQuotaAsync(ChallengeRoute route, QuotaGrantRequest grant, ClaimsPrincipal user, Core.Submissions.SubmissionAdminService admin, CancellationToken cancellationToken)
    {
        var granted = await admin.GrantExtraSubmissionsAsync(grant.TeamId, route.Task!.Id, grant.Extra, grant.Reason ?? "", user, cancellationToken);
        return granted.IsOk ? Results.Ok(new { grantedToday = granted.Value }) : granted.ToProblem();
    }

    private static async Task<IResult> UploadSolutionAsync(ChallengeRoute route, HttpRequest request, ClaimsPrincipal user, TaskService tasks,
        Core.Annotations.AssetSetService assets, CancellationToken cancellationToken)
    {
        var target = route.Task!;
        if (target.Family != TaskFamily.Predictions)
        {
            // The solution of an annotation or detection task is its gold set.
            return await AnnotationEndpoints.UploadAnnotationsAsync(route, Core.Annotations.AnnotationSource.Gold, request, user, assets, cancellationToken);
        }
        var (content, fileName, error) = await UploadBody.OpenAsync(request, "solution.csv");
        if (content is null)
        {
            return ApiProblems.BadRequest(error!);
        }
        var result = await tasks.UploadSolutionAsync(target.Id, content, fileName, user, cancellationToken);
        return result.Accepted
            ? Results.Ok(new { rows = result.Rows, publicRows = result.PublicRows, privateRows = result.PrivateRows })
            : Results.UnprocessableEntity(new { errors = result.Report.Errors, errorCount = result.Report.ErrorCount });
    }

    private static async Task<IResult> UploadDataAsync(ChallengeRoute route, string? description, HttpRequest request, ClaimsPrincipal user, DataFileService dataFiles, CancellationToken cancellationToken)
    {
        var (challenge, slug) = (route.Challenge, route.Challenge.Slug);
        var (content, fileName, error) = await UploadBody.OpenAsync(request, "data.bin");
        if (content is null)
        {
            return ApiProblems.BadRequest(error!);
        }
        var (file, refusal) = await dataFiles.UploadAsync(challenge.Id, content, fileName, description ?? "", user, cancellationToken);
        return file is null ? ApiProblems.BadRequest(refusal!) : Results.Ok(new { fileName = file.FileName, url = $"/api/challenges/{slug}/data/{Uri.EscapeDataString(file.FileName)}" });
    }

    private static async Task<IResult> ExportSubmissionsAsync(ChallengeRoute route, IDbContextFactory<ChallengeDbContext> dbFactory, CancellationToken cancellationToken)
    {
        var (challenge, slug) = (route.Challenge, route.Challenge.Slug);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.Submissions.AsNoTracking().Where(s => s.CompetitionId == challenge.Id)
            .Join(db.Teams, s => s.TeamId, t => t.Id, (s, t) => new { s, Team = t.Name })
            .Join(db.Tasks, x => x.s.TaskId, t => t.Id, (x, t) => new { x.s, x.Team, Task = t.Slug })
            .OrderBy(x => x.s.Id).ToListAsync(cancellationToken);
        var csv = new StringBuilder(CsvExport.Line("id", "task", "team", "submitted_at", "file_name", "description", "status", "public_score", "private_score", "errors", "selected", "hidden", "baseline", "scorer_version", "solution_version"));
        foreach (var row in rows)
        {
            var s = row.s;
            csv.Append(CsvExport.Line(s.Id, row.Task, row.Team, s.CreatedAtUtc, s.FileName, s.Description, s.Status.ToString(), s.PublicScore, s.PrivateScore, s.ErrorCount, s.IsSelected, s.IsHidden, s.IsBaseline, s.ScorerVersion, s.SolutionVersion));
        }
        return CsvExport.File(csv, $"{slug}-submissions.csv");
    }
}
