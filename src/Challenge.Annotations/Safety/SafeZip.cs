using System.IO.Compression;
using Challenge.Annotations.Model;

namespace Challenge.Annotations.Safety;

/// <summary>Bounds that an uploaded archive must stay within; the defaults suit annotation exports.</summary>
public sealed record ZipLimits
{
    public int MaxEntries { get; init; } = 500_000;
    public long MaxEntryBytes { get; init; } = 512L * 1024 * 1024;
    public long MaxTotalBytes { get; init; } = 2L * 1024 * 1024 * 1024;

    /// <summary>Expanded size over compressed size; text exports compress about 10:1, bombs 1000:1 and more.</summary>
    public double MaxCompressionRatio { get; init; } = 200;

    /// <summary>Entries smaller than this are not held to the ratio: tiny files of repeated text compress very well.</summary>
    public long RatioCheckMinimumBytes { get; init; } = 64 * 1024;

    public static ZipLimits Default { get; } = new();
}

/// <summary>One file read out of an archive, already checked against the limits.</summary>
public sealed record ZipFileEntry(string Name, byte[] Content);

/// <summary>
/// Reads a zip archive into memory without trusting anything it declares: names with <c>..</c>, absolute paths
/// and drive letters are refused, and sizes are counted while decompressing rather than taken from the headers,
/// which a bomb can forge.
/// </summary>
public static class SafeZip
{
    public static bool LooksLikeZip(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= 4 && bytes[0] == (byte)'P' && bytes[1] == (byte)'K' && bytes[2] is 3 or 5 && bytes[3] is 4 or 6;

    public static ParseResult<IReadOnlyList<ZipFileEntry>> Read(byte[] archive, string archiveName, ZipLimits? limits = null)
    {
        limits ??= ZipLimits.Default;
        try
        {
            using var zip = new ZipArchive(new MemoryStream(archive, writable: false), ZipArchiveMode.Read);
            if (zip.Entries.Count > limits.MaxEntries)
            {
                return Fail(archiveName, $"the archive has {zip.Entries.Count} entries; at most {limits.MaxEntries} are accepted");
            }

            var files = new List<ZipFileEntry>();
            long total = 0;
            foreach (var entry in zip.Entries)
            {
                var name = entry.FullName;
                var entryLabel = $"{archiveName}/{name}";
                var pathProblem = CheckPath(name);
                if (pathProblem is not null)
                {
                    return Fail(entryLabel, pathProblem);
                }

                if (name.EndsWith('/'))
                {
                    continue;
                }

                var content = ReadBounded(entry, entryLabel, limits, limits.MaxTotalBytes - total);
                if (content.Errors.Count > 0)
                {
                    return ParseResult<IReadOnlyList<ZipFileEntry>>.Failure(content.Errors);
                }

                total += content.Value!.Length;
                files.Add(new ZipFileEntry(name, content.Value));
            }

            return ParseResult<IReadOnlyList<ZipFileEntry>>.Success(files);
        }
        catch (InvalidDataException ex)
        {
            return Fail(archiveName, $"not a readable zip archive: {ex.Message}");
        }
    }

    /// <summary>Why an entry name is refused (climbing out, absolute, control characters), or null when it is acceptable.</summary>
    public static string? CheckPath(string name)
    {
        if (name.Length == 0)
        {
            return "an entry has an empty name";
        }

        if (name.StartsWith('/') || name.StartsWith('\\') || (name.Length >= 2 && name[1] == ':'))
        {
            return "absolute paths are not accepted in an archive";
        }

        if (name.Split('/', '\\').Any(part => part == ".."))
        {
            return "paths that climb out with '..' are not accepted in an archive";
        }

        return name.Any(char.IsControl) ? "entry names may not contain control characters" : null;
    }

    private static ParseResult<byte[]> ReadBounded(ZipArchiveEntry entry, string entryLabel, ZipLimits limits, long totalLeft)
    {
        var cap = Math.Min(limits.MaxEntryBytes, totalLeft);
        using var stream = entry.Open();
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > limits.MaxEntryBytes)
            {
                return ParseResult<byte[]>.Failure(new AnnotationError(entryLabel, null,
                    $"the entry expands past {limits.MaxEntryBytes} bytes, the most accepted for one entry"));
            }

            if (buffer.Length > cap)
            {
                return ParseResult<byte[]>.Failure(new AnnotationError(entryLabel, null,
                    $"the archive expands past {limits.MaxTotalBytes} bytes in all, the most accepted"));
            }

            if (buffer.Length >= limits.RatioCheckMinimumBytes
                && buffer.Length > limits.MaxCompressionRatio * Math.Max(1, entry.CompressedLength))
            {
                return ParseResult<byte[]>.Failure(new AnnotationError(entryLabel, null,
                    $"the entry expands more than {limits.MaxCompressionRatio}:1 (a zip bomb?); refused"));
            }
        }

        return ParseResult<byte[]>.Success(buffer.ToArray());
    }

    private static ParseResult<IReadOnlyList<ZipFileEntry>> Fail(string entry, string message) =>
        ParseResult<IReadOnlyList<ZipFileEntry>>.Failure(new AnnotationError(entry, null, message));
}
