using System.Collections.Concurrent;
using Challenge.Annotations.Assets;
using Challenge.Annotations.Formats;
using Challenge.Annotations.Model;
using Challenge.Core.Data;
using Challenge.Core.Files;
using Challenge.Core.Tasks;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Annotations;

// A task's gold set as scoring needs it: every indexed image (unlabelled ones count as negatives and for
// coverage), the gold boxes and classes, and the public images. Immutable once built.
public sealed record GoldSet(AnnotationDataset Gold, IReadOnlySet<long> PublicImageIds, IReadOnlyList<AssetImage> Images)
{
    public AnnotationDataset ImagesOnly()
    {
        var dataset = new AnnotationDataset();
        dataset.Images.AddRange(Gold.Images);
        dataset.Categories.AddRange(Gold.Categories);
        return dataset;
    }
}

// Reading the gold export for every submission would dominate scoring, so it is read once per task version.
public sealed class GoldSetCache(IFileStore files, IDbContextFactory<ChallengeDbContext> dbFactory)
{
    private readonly ConcurrentDictionary<int, (int Version, Lazy<Task<GoldSet>> Gold)> _byTask = new();

    public async Task<GoldSet> GetAsync(CompetitionTask task, CancellationToken cancellationToken = default)
    {
        if (task.SolutionFileId is null)
        {
            throw new InvalidOperationException($"Task '{task.Slug}' has no gold annotations yet.");
        }

        var entry = _byTask.AddOrUpdate(task.Id,
            _ => (task.SolutionVersion, new Lazy<Task<GoldSet>>(() => LoadAsync(task))),
            (_, existing) => existing.Version == task.SolutionVersion ? existing : (task.SolutionVersion, new Lazy<Task<GoldSet>>(() => LoadAsync(task))));
        return await entry.Gold.Value.WaitAsync(cancellationToken);
    }

    public static AnnotationDataset IndexDataset(IEnumerable<AssetImage> images)
    {
        var dataset = new AnnotationDataset();
        dataset.Images.AddRange(images.OrderBy(i => i.ImageId).Select(i => new ImageInfo(i.ImageId, i.EntryName, i.Width, i.Height)));
        return dataset;
    }

    // Reads a gold or pre-annotation export against the asset set: images are matched by file name (or COCO id),
    // classes are taken from the file; an image the archive does not hold is an error naming it.
    public static ParseResult<AnnotationDataset> ReadAgainstIndex(byte[] content, string fileName, AnnotationDataset index)
    {
        var read = AnnotationReader.Read(content, fileName, new AnnotationReadOptions { Reference = index, AddUnknownClasses = true });
        if (!read.Succeeded)
        {
            return read;
        }

        var dataset = read.Value!;
        dataset.Images.Clear();
        dataset.Images.AddRange(index.Images);
        return ParseResult<AnnotationDataset>.Success(dataset, read.Warnings);
    }

    public static GoldSet Build(AnnotationDataset gold, IReadOnlyList<AssetImage> images, CompetitionTask task) =>
        new(gold, ImageSplit.PublicImageIds(gold.Images, task.PublicFraction, task.SplitSeed), images);

    private async Task<GoldSet> LoadAsync(CompetitionTask task)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var file = await db.StoredFiles.AsNoTracking().SingleAsync(f => f.Id == task.SolutionFileId);
        var images = await db.AssetImages.AsNoTracking().Where(i => i.TaskId == task.Id).OrderBy(i => i.ImageId).ToListAsync();
        byte[] content;
        await using (var stream = files.OpenRead(file.StorageKey))
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer);
            content = buffer.ToArray();
        }

        var read = ReadAgainstIndex(content, file.OriginalName, IndexDataset(images));
        if (!read.Succeeded)
        {
            throw new InvalidOperationException($"The stored gold annotations of task '{task.Slug}' no longer read: {read.Errors.FirstOrDefault()}");
        }

        return Build(read.Value!, images, task);
    }
}
