using Challenge.Core.Access;
using Challenge.Core.Outcomes;
using System.Security.Claims;
using Challenge.Annotations.Assets;
using Challenge.Annotations.Formats;
using Challenge.Annotations.Model;
using Challenge.Core.Audit;
using Challenge.Core.Challenges;
using Challenge.Core.Data;
using Challenge.Core.Files;
using Challenge.Core.Tasks;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Annotations;

public sealed record AssetUploadResult(bool Accepted, IReadOnlyList<AnnotationError> Errors, string Message)
{
    /// <summary>What an accepted file does that is valid but probably not meant (gold boxes that can never be matched).</summary>
    public IReadOnlyList<AnnotationError> Warnings { get; init; } = [];

    public static AssetUploadResult Refused(string entry, string message) => new(false, [new AnnotationError(entry, null, message)], message);
}

public enum AnnotationSource
{
    Gold,
    PreAnnotations,
}

// The images of an annotation or detection task, its hidden gold annotations and the optional
// pre-annotations. Every upload is checked completely before it replaces anything; a refused one leaves
// nothing behind, and each error names the archive entry or file at fault.
public sealed class AssetSetService(
    IDbContextFactory<ChallengeDbContext> dbFactory,
    IFileStore files,
    GoldSetCache goldSets,
    TimeProvider clock,
    IAuthorizationService authorization)
{
    // The disk is the real bound; this keeps one upload from filling it by mistake.
    public const long MaxImageArchiveBytes = 256L << 30;
    public const long MaxAnnotationBytes = 2L << 30;

    public async Task<AssetUploadResult> UploadImagesAsync(int taskId, Stream content, string fileName, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var task = await FindManageableAsync(db, taskId, user, cancellationToken);
        if (task is null)
        {
            return AssetUploadResult.Refused(fileName, "This task does not exist, is not an annotation or detection task, or you may not manage it.");
        }

        StoredContent stored;
        try
        {
            stored = await files.SaveAsync(content, "assets", MaxImageArchiveBytes, cancellationToken);
        }
        catch (FileTooLargeException tooLarge)
        {
            return AssetUploadResult.Refused(fileName, tooLarge.Message);
        }

        var name = Path.GetFileName(fileName);
        ParseResult<IReadOnlyList<ArchiveImage>> index;
        await using (var archive = files.OpenRead(stored.StorageKey))
        {
            index = ImageArchive.Index(archive, name, new ImageArchiveLimits { MaxTotalBytes = MaxImageArchiveBytes * 4 });
        }
        if (!index.Succeeded)
        {
            await files.DeleteAsync(stored.StorageKey);
            return new AssetUploadResult(false, index.Errors, $"The archive was refused: {index.Errors[0]}");
        }

        var images = index.Value!.Select((image, i) => new AssetImage
        {
            TaskId = task.Id,
            ImageId = i + 1,
            EntryName = image.EntryName,
            FileName = image.FileName,
            Length = image.Length,
            Width = image.Width,
            Height = image.Height,
            ContentType = image.Kind == ImageKind.Png ? "image/png" : "image/jpeg",
        }).ToList();

        // Gold already uploaded must still match the new images; otherwise the archive is refused.
        if (task.SolutionFileId is { } goldFileId)
        {
            var check = await ReadStoredAgainstAsync(db, goldFileId, GoldSetCache.IndexDataset(images), cancellationToken);
            if (!check.Succeeded)
            {
                await files.DeleteAsync(stored.StorageKey);
                return new AssetUploadResult(false, check.Errors,
                    $"The current gold annotations do not match these images: {check.Errors[0]}. Upload matching gold first, or images that include every annotated one.");
            }
        }

        var now = clock.GetUtcNow().UtcDateTime;
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.AssetImages.Where(i => i.TaskId == task.Id).ExecuteDeleteAsync(cancellationToken);
            var file = new StoredFile { StorageKey = stored.StorageKey, OriginalName = name, Length = stored.Length, Sha256 = stored.Sha256, CreatedAtUtc = now };
            db.StoredFiles.Add(file);
            db.AssetImages.AddRange(images);
            await db.SaveChangesAsync(cancellationToken);
            task.ImagesFileId = file.Id;
            task.ImageCount = images.Count;
            task.SolutionVersion++;
            db.Audit(task.CompetitionId, user.UserId(), "assets.uploaded", $"{task.Slug}: {images.Count} images, sha256 {stored.Sha256[..12]}", now);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch
        {
            // The rows were rolled back; the archive must not stay behind unreferenced.
            await files.DeleteAsync(stored.StorageKey);
            throw;
        }

        var publicCount = ImageSplit.PublicImageIds(GoldSetCache.IndexDataset(images).Images, task.PublicFraction, task.SplitSeed).Count;
        return new AssetUploadResult(true, [], $"Images accepted: {images.Count:N0} images ({publicCount:N0} public, {images.Count - publicCount:N0} private).");
    }

    public async Task<AssetUploadResult> UploadAnnotationsAsync(int taskId, AnnotationSource source, Stream content, string fileName, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var task = await FindManageableAsync(db, taskId, user, cancellationToken);
        if (task is null)
        {
            return AssetUploadResult.Refused(fileName, "This task does not exist, is not an annotation or detection task, or you may not manage it.");
        }
        if (task.ImagesFileId is null)
        {
            return AssetUploadResult.Refused(fileName, "Upload the images first: annotations are matched to them by file name.");
        }

        StoredContent stored;
        try
        {
            stored = await files.SaveAsync(content, source == AnnotationSource.Gold ? "solutions" : "assets", MaxAnnotationBytes, cancellationToken);
        }
        catch (FileTooLargeException tooLarge)
        {
            return AssetUploadResult.Refused(fileName, tooLarge.Message);
        }

        var name = Path.GetFileName(fileName);
        var images = await db.AssetImages.AsNoTracking().Where(i => i.TaskId == task.Id).ToListAsync(cancellationToken);
        byte[] bytes;
        await using (var reader = files.OpenRead(stored.StorageKey))
        {
            using var buffer = new MemoryStream();
            await reader.CopyToAsync(buffer, cancellationToken);
            bytes = buffer.ToArray();
        }
        var read = GoldSetCache.ReadAgainstIndex(bytes, name, GoldSetCache.IndexDataset(images));
        var problem = !read.Succeeded ? null : CheckFitsMetric(read.Value!, task, source);
        if (!read.Succeeded || problem is not null)
        {
            await files.DeleteAsync(stored.StorageKey);
            var errors = read.Succeeded ? [new AnnotationError(name, null, problem!)] : read.Errors;
            return new AssetUploadResult(false, errors, $"The file was refused: {errors[0]}");
        }

        var dataset = read.Value!;
        var now = clock.GetUtcNow().UtcDateTime;
        var file = new StoredFile { StorageKey = stored.StorageKey, OriginalName = name, Length = stored.Length, Sha256 = stored.Sha256, CreatedAtUtc = now };
        db.StoredFiles.Add(file);
        await db.SaveChangesAsync(cancellationToken);
        var labelledImages = dataset.Boxes.Select(b => b.ImageId).Concat(dataset.ImageLabels.Select(l => l.ImageId)).Distinct().Count();
        var summary = $"{dataset.Boxes.Count:N0} boxes and {dataset.ImageLabels.Count:N0} image classes on {labelledImages:N0} of {images.Count:N0} images; classes {string.Join(", ", dataset.Categories.Select(c => c.Name))}";
        if (source == AnnotationSource.Gold)
        {
            task.SolutionFileId = file.Id;
            task.SolutionVersion++;
            task.SolutionRows = dataset.Boxes.Count + dataset.ImageLabels.Count;
            task.SolutionUploadedAtUtc = now;
            db.Audit(task.CompetitionId, user.UserId(), "gold.uploaded", $"{task.Slug}: {summary}, sha256 {stored.Sha256[..12]}", now);
        }
        else
        {
            task.PreAnnotationsFileId = file.Id;
            db.Audit(task.CompetitionId, user.UserId(), "preannotations.uploaded", $"{task.Slug}: {summary}", now);
        }
        await db.SaveChangesAsync(cancellationToken);
        var what = source == AnnotationSource.Gold ? "Gold annotations" : "Pre-annotations";
        var warnings = read.Warnings;
        var warningText = warnings.Count == 0 ? "" : " Warning: " + string.Join(" Warning: ", warnings.Select(w => w.ToString()));
        return new AssetUploadResult(true, [], $"{what} accepted: {summary}.{warningText}") { Warnings = warnings };
    }

    public async Task<(IReadOnlyList<AssetImage> Images, int Total)> ListImagesAsync(int taskId, int skip, int take, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.AssetImages.AsNoTracking().Where(i => i.TaskId == taskId);
        var total = await query.CountAsync(cancellationToken);
        var page = await query.OrderBy(i => i.ImageId).Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 1, 500)).ToListAsync(cancellationToken);
        return (page, total);
    }

    public async Task<(Stream Content, AssetImage Image)?> OpenImageAsync(CompetitionTask task, int imageId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var image = await db.AssetImages.AsNoTracking().SingleOrDefaultAsync(i => i.TaskId == task.Id && i.ImageId == imageId, cancellationToken);
        var archive = task.ImagesFileId is null ? null : await db.StoredFiles.AsNoTracking().SingleOrDefaultAsync(f => f.Id == task.ImagesFileId, cancellationToken);
        if (image is null || archive is null)
        {
            return null;
        }
        var content = ImageArchive.OpenImage(files.OpenRead(archive.StorageKey), image.EntryName);
        return content is null ? null : (content, image);
    }

    public async Task<StoredFile?> FindImagesArchiveAsync(CompetitionTask task, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return task.ImagesFileId is null ? null : await db.StoredFiles.AsNoTracking().SingleOrDefaultAsync(f => f.Id == task.ImagesFileId, cancellationToken);
    }

    // Gold or pre-annotations written in any supported format; callers decide who may have which.
    /// <summary>The task's pre-annotations in any format, for participants.</summary>
    public Task<(byte[] Content, string FileName)?> ExportPreAnnotationsAsync(CompetitionTask task, AnnotationFormat format, CancellationToken cancellationToken = default) =>
        ExportAsync(task, AnnotationSource.PreAnnotations, format, cancellationToken);

    /// <summary>The hidden gold annotations, only under <see cref="AccessRules.SeeGold"/>; null when there are none.</summary>
    public async Task<Outcome<(byte[] Content, string FileName)?>> ExportGoldAsync(CompetitionTask task, AnnotationFormat format, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var challenge = await db.Competitions.AsNoTracking().SingleAsync(c => c.Id == task.CompetitionId, cancellationToken);
            if (!await authorization.AllowsAsync(user, challenge, AccessRules.SeeGold))
            {
                return Outcome<(byte[] Content, string FileName)?>.NotFound($"No annotation or detection task '{task.Slug}' in a challenge you manage.");
            }
        }
        return Outcome<(byte[] Content, string FileName)?>.Ok(await ExportAsync(task, AnnotationSource.Gold, format, cancellationToken));
    }

    private async Task<(byte[] Content, string FileName)?> ExportAsync(CompetitionTask task, AnnotationSource source, AnnotationFormat format, CancellationToken cancellationToken = default)
    {
        AnnotationDataset dataset;
        if (source == AnnotationSource.Gold)
        {
            if (task.SolutionFileId is null)
            {
                return null;
            }
            dataset = (await goldSets.GetAsync(task, cancellationToken)).Gold;
        }
        else
        {
            if (task.PreAnnotationsFileId is not { } fileId)
            {
                return null;
            }
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var images = await db.AssetImages.AsNoTracking().Where(i => i.TaskId == task.Id).ToListAsync(cancellationToken);
            var read = await ReadStoredAgainstAsync(db, fileId, GoldSetCache.IndexDataset(images), cancellationToken);
            if (!read.Succeeded)
            {
                throw new InvalidOperationException($"The stored pre-annotations of task '{task.Slug}' no longer match its images: {read.Errors[0]}");
            }
            dataset = read.Value!;
        }

        var suffix = source == AnnotationSource.Gold ? "gold" : "pre-annotations";
        var name = $"{task.Slug}-{suffix}-{format.ToString().ToLowerInvariant()}{AnnotationWriter.FileExtension(format)}";
        return (AnnotationWriter.Write(dataset, format), name);
    }

    private async Task<ParseResult<AnnotationDataset>> ReadStoredAgainstAsync(ChallengeDbContext db, long fileId, AnnotationDataset index, CancellationToken cancellationToken)
    {
        var file = await db.StoredFiles.AsNoTracking().SingleAsync(f => f.Id == fileId, cancellationToken);
        await using var stream = files.OpenRead(file.StorageKey);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken);
        return GoldSetCache.ReadAgainstIndex(buffer.ToArray(), file.OriginalName, index);
    }

    private static string? CheckFitsMetric(AnnotationDataset dataset, CompetitionTask task, AnnotationSource source)
    {
        if (dataset.Boxes.Count == 0 && dataset.ImageLabels.Count == 0)
        {
            return "the file holds no box and no image class";
        }
        if (source != AnnotationSource.Gold)
        {
            return null;
        }
        if (task.Metric == "annotation_accuracy" && dataset.ImageLabels.Count == 0)
        {
            return "honeypot accuracy compares image classes, and this file has none (only boxes); choose box F1 or upload image classes";
        }
        if (task.Metric != "annotation_accuracy" && dataset.Boxes.Count == 0)
        {
            return $"{task.Metric} compares boxes, and this file has none (only image classes)";
        }
        return null;
    }

    private async Task<CompetitionTask?> FindManageableAsync(ChallengeDbContext db, int taskId, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var task = await db.Tasks.SingleOrDefaultAsync(t => t.Id == taskId, cancellationToken);
        if (task is null || task.Family == TaskFamily.Predictions)
        {
            return null;
        }
        var competition = await db.Competitions.SingleAsync(c => c.Id == task.CompetitionId, cancellationToken);
        return await authorization.AllowsAsync(user, competition, AccessRules.ManageChallenge) ? task : null;
    }
}
