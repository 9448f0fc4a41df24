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
        endpoints.MapGet("/challenges/{slug}/files/{id:int}", DataFileAsync);
        endpoints.MapGet("/api/challenges/{slug}/data", ListDataAsync).WithName("ListDataFiles").WithTags("Api");
        endpoints.MapGet("/api/challenges/{slug}/data/{fileName}", DataFileByNameAsync).WithName("DownloadDataFile").WithTags("Api");
        endpoints.MapGet("/challenges/{slug}/tasks/{task}/sample-submission.csv", SampleSubmissionAsync);
        endpoints.MapGet("/challenges/{slug}/submissions/{id:long}/file", SubmissionFileAsync);
        return endpoints;
    }

    private static async Task<IResult> DataFileAsync(string slug, int id, ClaimsPrincipal user, CompetitionService competitions, IDbContextFactory<ChallengeDbContext> dbFactory, IAuthorizationService authorization, IFileStore files, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await ServeDataFileAsync(db, slug, f => f.Id == id, user, competitions, authorization, files, cancellationToken);
    }

    private static async Task<IResult> DataFileByNameAsync(string slug, string fileName, ClaimsPrincipal user, CompetitionService competitions, IDbContextFactory<ChallengeDbContext> dbFactory, IAuthorizationService authorization, IFileStore files, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await ServeDataFileAsync(db, slug, f => f.FileName == fileName, user, competitions, authorization, files, cancellationToken);
    }

    private static async Task<IResult> ServeDataFileAsync(ChallengeDbContext db, string slug, System.Linq.Expressions.Expression<Func<DataFile, bool>> which,
        ClaimsPrincipal user, CompetitionService competitions, IAuthorizationService authorization, IFileStore files, CancellationToken cancellationToken)
    {
        var challenge = await competitions.FindVisibleAsync(slug, user, cancellationToken);
        if (challenge is null)
        {
            return ApiProblems.NotFound($"No challenge '{slug}'.");
        }
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

    private static async Task<IResult> ListDataAsync(string slug, ClaimsPrincipal user, CompetitionService competitions, IDbContextFactory<ChallengeDbContext> dbFactory, CancellationToken cancellationToken)
    {
        var challenge = await competitions.FindVisibleAsync(slug, user, cancellationToken);
        if (challenge is null)
        {
            return ApiProblems.NotFound($"No challenge '{slug}'.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var list = await db.DataFiles.AsNoTracking().Include(f => f.StoredFile).Where(f => f.CompetitionId == challenge.Id).OrderBy(f => f.FileName).ToListAsync(cancellationToken);
        return Results.Ok(list.Select(f => new DataFileDto(f.FileName, f.StoredFile!.Length, f.StoredFile.Sha256, f.Description, $"/api/challenges/{slug}/data/{Uri.EscapeDataString(f.FileName)}")));
    }

    private static async Task<IResult> SampleSubmissionAsync(string slug, string task, ClaimsPrincipal user, CompetitionService competitions, TaskService tasks, SolutionCache solutions, CancellationToken cancellationToken)
    {
        var challenge = await competitions.FindVisibleAsync(slug, user, cancellationToken);
        var target = challenge is null ? null : (await tasks.ListAsync(challenge.Id, cancellationToken)).FirstOrDefault(t => t.Slug == task);
        if (target?.SolutionFileId is null || target.Family != TaskFamily.Predictions)
        {
            return ApiProblems.NotFound("No such CSV task, or its solution is not uploaded yet.");
        }
        var solution = await solutions.GetAsync(target, cancellationToken);
        var output = new MemoryStream();
        solution.WriteSampleSubmission(output);
        output.Position = 0;
        return Results.File(output, "text/csv; charset=utf-8", $"sample_submission_{target.Slug}.csv");
    }

    private static async Task<IResult> SubmissionFileAsync(string slug, long id, ClaimsPrincipal user, IDbContextFactory<ChallengeDbContext> dbFactory, IAuthorizationService authorization, IFileStore files, CancellationToken cancellationToken)
    {
        if (user.UserId() is null)
        {
            return Results.Challenge();
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var submission = await db.Submissions.AsNoTracking().Include(s => s.StoredFile).SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
        var inChallenge = submission is not null && await db.Competitions.AnyAsync(c => c.Id == submission.CompetitionId && c.Slug == slug, cancellationToken);
        if (!inChallenge || !await authorization.AllowsAsync(user, submission!, AccessRules.ReadSubmission))
        {
            return ApiProblems.NotFound($"No submission {id}.");
        }
        return Results.Stream(files.OpenRead(submission!.StoredFile!.StorageKey), "text/csv", submission.FileName);
    }
}
