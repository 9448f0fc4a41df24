using System.IO.Compression;
using Challenge.Annotations.Model;
using Challenge.Annotations.Safety;

namespace Challenge.Annotations.Assets;

/// <summary>One image of an uploaded archive: its entry name, its size in bytes and in pixels.</summary>
public sealed record ArchiveImage(string EntryName, long Length, ImageKind Kind, int Width, int Height)
{
    public string FileName => EntryName[(EntryName.LastIndexOf('/') + 1)..];
}

/// <summary>Bounds for an image archive; the byte total is set by the caller from the disk it may use.</summary>
public sealed record ImageArchiveLimits
{
    public int MaxImages { get; init; } = 1_000_000;
    public long MaxImageBytes { get; init; } = 128L * 1024 * 1024;
    public long MaxTotalBytes { get; init; } = 512L * 1024 * 1024 * 1024;

    /// <summary>PNG and JPEG are compressed already; an entry that inflates 100:1 is a bomb, not a photograph.</summary>
    public double MaxCompressionRatio { get; init; } = 100;

    public long RatioCheckMinimumBytes { get; init; } = 64 * 1024;
}

/// <summary>
/// Reads a zip of PNG/JPEG images straight from a seekable stream (a stored upload), never holding more than one
/// image's first bytes in memory. Every entry is decompressed once while counting, so forged headers, bombs,
/// climbing paths, duplicate names and files that are not images are each refused with the entry named.
/// </summary>
public static class ImageArchive
{
    public static ParseResult<IReadOnlyList<ArchiveImage>> Index(Stream archive, string archiveName, ImageArchiveLimits? limits = null)
    {
        limits ??= new ImageArchiveLimits();
        try
        {
            // Folders and macOS clutter (__MACOSX/._name) can double the entries beside the images; beyond that,
            // a declared count is refused before the central directory is parsed into objects.
            var maxEntries = 2L * limits.MaxImages + 1_000;
            if (SafeZip.DeclaredEntryCount(archive) is { } declared && declared > maxEntries)
            {
                return Fail(archiveName, $"the archive declares {declared:N0} entries; at most {limits.MaxImages:N0} images are accepted");
            }

            using var zip = new ZipArchive(archive, ZipArchiveMode.Read, leaveOpen: true);
            var images = new List<ArchiveImage>();
            var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            long total = 0;
            var buffer = new byte[81920];
            foreach (var entry in zip.Entries)
            {
                var name = entry.FullName;
                var label = $"{archiveName}/{name}";
                if (SafeZip.CheckPath(name) is { } pathProblem)
                {
                    return Fail(label, pathProblem);
                }

                if (name.EndsWith('/') || IsSystemClutter(name))
                {
                    continue;
                }

                if (images.Count >= limits.MaxImages)
                {
                    return Fail(label, $"the archive holds more than {limits.MaxImages:N0} images, the most accepted");
                }

                var fileName = name[(name.LastIndexOf('/') + 1)..];
                if (!names.TryAdd(fileName, name))
                {
                    return Fail(label, $"another entry, '{names[fileName]}', has the same file name; images are matched by file name, so each must be unique");
                }

                var head = new byte[ImageHeader.MaxHeaderBytes];
                var headLength = 0;
                long length = 0;
                using (var stream = entry.Open())
                {
                    int read;
                    while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
                    {
                        if (headLength < head.Length)
                        {
                            var take = Math.Min(read, head.Length - headLength);
                            Array.Copy(buffer, 0, head, headLength, take);
                            headLength += take;
                        }

                        length += read;
                        if (length > limits.MaxImageBytes)
                        {
                            return Fail(label, $"the entry expands past {limits.MaxImageBytes:N0} bytes, the most accepted for one image");
                        }

                        if (total + length > limits.MaxTotalBytes)
                        {
                            return Fail(label, $"the archive expands past {limits.MaxTotalBytes:N0} bytes in all, the most accepted");
                        }

                        if (length >= limits.RatioCheckMinimumBytes && length > limits.MaxCompressionRatio * Math.Max(1, entry.CompressedLength))
                        {
                            return Fail(label, $"the entry expands more than {limits.MaxCompressionRatio}:1 (a zip bomb?); refused");
                        }
                    }
                }

                total += length;
                var header = ImageHeader.TryRead(head.AsSpan(0, headLength), out var problem);
                if (header is null)
                {
                    return Fail(label, problem!);
                }

                images.Add(new ArchiveImage(name, length, header.Kind, header.Width, header.Height));
            }

            return images.Count == 0
                ? Fail(archiveName, "the archive holds no PNG or JPEG image")
                : ParseResult<IReadOnlyList<ArchiveImage>>.Success(images);
        }
        catch (InvalidDataException ex)
        {
            return Fail(archiveName, $"not a readable zip archive: {ex.Message}");
        }
    }

    /// <summary>Opens one image of an archive that <see cref="Index"/> accepted, or null when the name is not in it.</summary>
    public static Stream? OpenImage(Stream archive, string entryName)
    {
        var zip = new ZipArchive(archive, ZipArchiveMode.Read, leaveOpen: false);
        var entry = zip.GetEntry(entryName);
        if (entry is null)
        {
            zip.Dispose();
            return null;
        }

        var content = new MemoryStream();
        using (var stream = entry.Open())
        {
            stream.CopyTo(content);
        }

        zip.Dispose();
        content.Position = 0;
        return content;
    }

    private static bool IsSystemClutter(string name) =>
        name.StartsWith("__MACOSX/", StringComparison.Ordinal)
        || name[(name.LastIndexOf('/') + 1)..] is ".DS_Store" or "Thumbs.db" or "desktop.ini";

    private static ParseResult<IReadOnlyList<ArchiveImage>> Fail(string entry, string message) =>
        ParseResult<IReadOnlyList<ArchiveImage>>.Failure(new AnnotationError(entry, null, message));
}
