using Challenge.Core.Access;
using Microsoft.AspNetCore.Authorization;
using System.Security.Claims;
using Challenge.Annotations.Formats;
using Challenge.Core.Annotations;
using Challenge.Core.Challenges;
using Challenge.Core.Data;
using Challenge.Core.Tasks;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Web.Api;

// Asset sets of annotation and detection tasks. Organizers upload the images, the hidden gold and the
// pre-annotations and may export the gold; participants who accepted the rules get the images (whole zip or one
// by one) and the pre-annotations in any format. Gold never leaves through a participant route.
internal static class AnnotationEndpoints
{
    public static RouteGroupBuilder MapAnnotationEndpoints(this RouteGroupBuilder api)
    {
        var managed = api.MapChallengeGroup(rule: AccessRules.ManageChallenge, refused: ChallengeRouteGroups.NotManaged);
        managed.MapPut("/tasks/{task}/images", UploadImagesAsync)
            .RequireAuthorization(ApiAuthorization.TokenOnly).DisableAntiforgery().AllowLargeUploads().RequireRateLimiting(SubmissionEndpoints.UploadRateLimit)
            .WithName("UploadTaskImages").WithSummary("Replace the images of an annotation or detection task: a zip of PNG/JPEG files, streamed and checked entry by entry.");
        managed.MapPut("/tasks/{task}/gold", (ChallengeRoute route, HttpRequest request, ClaimsPrincipal user, AssetSetService assets, CancellationToken ct)
                => UploadAnnotationsAsync(route, AnnotationSource.Gold, request, user, assets, ct))
            .RequireAuthorization(ApiAuthorization.TokenOnly).DisableAntiforgery().AllowLargeUploads().RequireRateLimiting(SubmissionEndpoints.UploadRateLimit)
            .WithName("UploadGoldAnnotations").WithSummary("Replace the hidden gold annotations (any supported format), matched to the images by file name or COCO id.");
        managed.MapPut("/tasks/{task}/pre-annotations", (ChallengeRoute route, HttpRequest request, ClaimsPrincipal user, AssetSetService assets, CancellationToken ct)
                => UploadAnnotationsAsync(route, AnnotationSource.PreAnnotations, request, user, assets, ct))
            .RequireAuthorization(ApiAuthorization.TokenOnly).DisableAntiforgery().AllowLargeUploads().RequireRateLimiting(SubmissionEndpoints.UploadRateLimit)
            .WithName("UploadPreAnnotations").WithSummary("Replace the pre-annotations that participants may download (a baseline's boxes).");
        managed.MapGet("/tasks/{task}/gold", ExportGoldAsync)
            .RequireAuthorization(ApiAuthorization.TokenOrCookie).WithName("ExportGoldAnnotations")
            .WithSummary("Organizers only: the gold annotations in a format (?format=coco|coco_results|kili|yolo|voc|label_studio|cvat).");
        var participant = api.MapChallengeGroup(rule: AccessRules.DownloadData, refused: _ => ApiProblems.Forbidden("Accept the challenge's rules to get its images."));
        participant.MapGet("/tasks/{task}/images", ListImagesAsync)
            .RequireAuthorization(ApiAuthorization.TokenOrCookie).WithName("ListTaskImages").WithSummary("One page of the task's images (?page=1&pageSize=100).");
        participant.MapGet("/tasks/{task}/images.zip", ImagesZipAsync)
            .RequireAuthorization(ApiAuthorization.TokenOrCookie).WithName("DownloadTaskImages").WithSummary("All of the task's images as one zip, streamed.");
        participant.MapGet("/tasks/{task}/images/{imageId:int}", ImageAsync)
            .RequireAuthorization(ApiAuthorization.TokenOrCookie).WithName("DownloadTaskImage").WithSummary("One image of the task by its id.");
        participant.MapGet("/tasks/{task}/pre-annotations", PreAnnotationsAsync)
            .RequireAuthorization(ApiAuthorization.TokenOrCookie).WithName("DownloadPreAnnotations").WithSummary("The task's pre-annotations, when the organizers gave some (?format= as for the gold export).");
        return api;
    }

    internal static async Task<IResult> UploadAnnotationsAsync(ChallengeRoute route, AnnotationSource source, HttpRequest request, ClaimsPrincipal user,
        AssetSetService assets, CancellationToken cancellationToken)
    {
        if (AnnotationTask(route) is not { } target)
        {
            return NoAnnotationTask(route);
        }
        var (content, fileName, error) = await UploadBody.OpenAsync(request, "annotations.json");
        if (content is null)
        {
            return ApiProblems.BadRequest(error!);
        }
        return Outcome(await assets.UploadAnnotationsAsync(target.Id, source, content, fileName, user, cancellationToken));
    }

    private static async Task<IResult> UploadImagesAsync(ChallengeRoute route, HttpRequest request, ClaimsPrincipal user, AssetSetService assets, CancellationToken cancellationToken)
    {
        if (AnnotationTask(route) is not { } target)
        {
            return NoAnnotationTask(route);
        }
        var (content, fileName, error) = await UploadBody.OpenAsync(request, "images.zip");
        if (content is null)
        {
            return ApiProblems.BadRequest(error!);
        }
        return Outcome(await assets.UploadImagesAsync(target.Id, content, fileName, user, cancellationToken));
    }

    private static async Task<IResult> ExportGoldAsync(ChallengeRoute route, string? format, ClaimsPrincipal user, AssetSetService assets, CancellationToken cancellationToken)
    {
        if (AnnotationTask(route) is not { } target)
        {
            return NoAnnotationTask(route);
        }
        if (!TryFormat(format, out var parsed, out var problem))
        {
            return problem!;
        }
        var export = await assets.ExportGoldAsync(target, parsed, user, cancellationToken);
        if (!export.IsOk)
        {
            return export.ToProblem();
        }
        return export.Value is { } file ? Results.File(file.Content, "application/octet-stream", file.FileName) : ApiProblems.NotFound("This task has no gold annotations yet.");
    }

    private static async Task<IResult> ListImagesAsync(ChallengeRoute route, int? page, int? pageSize,
        AssetSetService assets, CancellationToken cancellationToken)
    {
        if (AnnotationTask(route) is not { } target)
        {
            return NoAnnotationTask(route);
        }
        var size = Math.Clamp(pageSize ?? 100, 1, 500);
        var number = Math.Max(1, page ?? 1);
        var (images, total) = await assets.ListImagesAsync(target.Id, (number - 1) * size, size, cancellationToken);
        return Results.Ok(new
        {
            page = number,
            pageSize = size,
            total,
            images = images.Select(i => new { id = i.ImageId, fileName = i.FileName, path = i.EntryName, width = i.Width, height = i.Height, bytes = i.Length, url = $"/api/challenges/{route.Challenge.Slug}/tasks/{target.Slug}/images/{i.ImageId}" }),
        });
    }

    private static async Task<IResult> ImagesZipAsync(ChallengeRoute route,
        AssetSetService assets, Core.Files.IFileStore files, CancellationToken cancellationToken)
    {
        if (AnnotationTask(route) is not { } target)
        {
            return NoAnnotationTask(route);
        }
        var archive = await assets.FindImagesArchiveAsync(target, cancellationToken);
        return archive is null
            ? ApiProblems.NotFound("The organizers have not uploaded this task's images yet.")
            : Results.Stream(files.OpenRead(archive.StorageKey), "application/zip", $"{target.Slug}-images.zip", enableRangeProcessing: true);
    }

    private static async Task<IResult> ImageAsync(ChallengeRoute route, int imageId,
        AssetSetService assets, CancellationToken cancellationToken)
    {
        if (AnnotationTask(route) is not { } target)
        {
            return NoAnnotationTask(route);
        }
        var image = await assets.OpenImageAsync(target, imageId, cancellationToken);
        return image is { } found ? Results.Stream(found.Content, found.Image.ContentType) : ApiProblems.NotFound("No such image.");
    }

    private static async Task<IResult> PreAnnotationsAsync(ChallengeRoute route, string? format,
        AssetSetService assets, CancellationToken cancellationToken)
    {
        if (AnnotationTask(route) is not { } target)
        {
            return NoAnnotationTask(route);
        }
        if (!TryFormat(format, out var parsed, out var problem))
        {
            return problem!;
        }
        var export = await assets.ExportPreAnnotationsAsync(target, parsed, cancellationToken);
        return export is { } file ? Results.File(file.Content, "application/octet-stream", file.FileName) : ApiProblems.NotFound("The organizers provide no pre-annotations for this task.");
    }

    private static bool TryFormat(string? format, out AnnotationFormat parsed, out IResult? problem)
    {
        problem = null;
        if (AnnotationFormatNames.TryParse(format ?? "coco", out parsed))
        {
            return true;
        }
        problem = ApiProblems.BadRequest($"Unknown format '{format}'; use one of {string.Join(", ", AnnotationFormatNames.Names)}.");
        return false;
    }

    private static IResult Outcome(AssetUploadResult result) => result.Accepted
        ? Results.Ok(new { message = result.Message, warnings = result.Warnings.Select(w => new { entry = w.Entry, line = w.Line, message = w.Message }) })
        : Results.UnprocessableEntity(new { message = result.Message, errors = result.Errors.Select(e => new { entry = e.Entry, line = e.Line, message = e.Message }) });

    private static CompetitionTask? AnnotationTask(ChallengeRoute route) => route.Task is { Family: not TaskFamily.Predictions } task ? task : null;

    private static IResult NoAnnotationTask(ChallengeRoute route) =>
        ApiProblems.NotFound($"No annotation or detection task '{route.Task?.Slug}' in challenge '{route.Challenge.Slug}'.");
}
