using Challenge.Core.Access;
using Microsoft.AspNetCore.Authorization;
using System.Security.Claims;
using Challenge.Core.Challenges;
using Challenge.Core.Data;
using Challenge.Core.Files;
using Challenge.Core.Tasks;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Web.Api;

// File downloads, streamed from the file store (several GB are fine): data files for those who
// accepted the rules, sample submissions for everyone, submission files for their own team only.
internal static class DownloadEndpoints
{
    public static IEndpointRouteBuilder MapDownloadEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var pages = endpoints.MapChallengeGroup();
        pages.MapGet("/files/{id:int}", DataFileAsync).WithSummary("Download a data file by id from the challenge's pages (cookie or token; rules accepted).");
        pages.MapGet("/tasks/{task}/sample-submission.csv", SampleSubmissionAsync).WithSummary("A sample submission for the task: every Id of the solution with a placeholder prediction.");
        pages.MapGet("/submissions/{id:long}/file", SubmissionFileAsync).WithSummary("The file of one of the caller's team's submissions (organizers: any).");
        var api = endpoints.MapChallengeGroup("/api").WithTags("Api");
        api.MapGet("/data", ListDataAsync).WithName("ListDataFiles").WithSummary("The challenge's data files with their size, SHA-256 and download address.");
        api.MapGet("/data/{fileName}", DataFileByNameAsync).WithName("DownloadDataFile").WithSummary("Download one data file by name; the caller must have accepted the rules.");
        return endpoints;
    }

    private static async Task<IResult> DataFileAsync(ChallengeRoute route, int id, ClaimsPrincipal user, IDbContextFactory<ChallengeDbContext> dbFactory, IAuthorizationService authorization, IFileStore files, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await ServeDataFileAsync(db, route, f => f.Id == id, user, authorization, files, cancellationToken);
    }

    private static async Task<IResult> DataFileByNameAsync(ChallengeRoute route, string fileName, ClaimsPrincipal user, IDbContextFactory<ChallengeDbContext> dbFactory, IAuthorizationService authorization, IFileStore files, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await ServeDataFileAsync(db, route, f => f.FileName == fileName, user, authorization, files, cancellationToken);
    }

    private static async Task<IResult> ServeDataFileAsync(ChallengeDbContext db, ChallengeRoute route, System.Linq.Expressions.Expression<Func<DataFile, bool>> which,
        ClaimsPrincipal user, IAuthorizationService authorization, IFileStore files, CancellationToken cancellationToken)
    {
        var challenge = route.Challenge;
        if (!await authorization.AllowsAsync(user, challenge, AccessRules.DownloadData))
        {
            return user.Identity?.IsAuthenticated == true
                ? ApiProblems.Forbidden("Accept the challenge's rules to download its data.")
                : Results.Challenge();
        }
        var file = await db.DataFiles.AsNoTracking().Include(f => f.StoredFile).Where(f => f.CompetitionId == challenge.Id).Where(which).SingleOrDefaultAsync(cancellationToken);
        if (file is null)
        {
            return ApiProblems.NotFound("No such data file.");
        }
        return Results.Stream(files.OpenRead(file.StoredFile!.StorageKey), "application/octet-stream", file.FileName, enableRangeProcessing: true);
    }

    private static async Task<IResult> ListDataAsync(ChallengeRoute route, IDbContextFactory<ChallengeDbContext> dbFactory, CancellationToken cancellationToken)
    {
        var (challenge, slug) = (route.Challenge, route.Challenge.Slug);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var list = await db.DataFiles.AsNoTracking().Include(f => f.StoredFile).Where(f => f.CompetitionId == challenge.Id).OrderBy(f => f.FileName).ToListAsync(cancellationToken);
        return Results.Ok(list.Select(f => new DataFileDto(f.FileName, f.StoredFile!.Length, f.StoredFile.Sha256, f.Description, $"/api/challenges/{slug}/data/{Uri.EscapeDataString(f.FileName)}")));
    }

    private static async Task<IResult> SampleSubmissionAsync(ChallengeRoute route, SolutionCache solutions, CancellationToken cancellationToken)
    {
        var target = route.Task!;
        if (target.SolutionFileId is null || target.Family != TaskFamily.Predictions)
        {
            return ApiProblems.NotFound("No such CSV task, or its solution is not uploaded yet.");
        }
        var solution = await solutions.GetAsync(target, cancellationToken);
        var output = new MemoryStream();
        solution.WriteSampleSubmission(output);
        output.Position = 0;
        return Results.File(output, "text/csv; charset=utf-8", $"sample_submission_{target.Slug}.csv");
    }

    private static async Task<IResult> SubmissionFileAsync(ChallengeRoute route, long id, ClaimsPrincipal user, IDbContextFactory<ChallengeDbContext> dbFactory, IAuthorizationService authorization, IFileStore files, CancellationToken cancellationToken)
    {
        if (user.UserId() is null)
        {
            return Results.Challenge();
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var submission = await db.Submissions.AsNoTracking().Include(s => s.StoredFile).SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (submission is null || submission.CompetitionId != route.Challenge.Id || !await authorization.AllowsAsync(user, submission!, AccessRules.ReadSubmission))
        {
            return ApiProblems.NotFound($"No submission {id}.");
        }
        return Results.Stream(files.OpenRead(submission!.StoredFile!.StorageKey), "text/csv", submission.FileName);
    }
}
