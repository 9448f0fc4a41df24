using System.Buffers.Binary;
using System.IO.Compression;
using Challenge.Annotations.Model;

namespace Challenge.Annotations.Safety;

/// <summary>Bounds that an uploaded archive must stay within; the defaults suit annotation exports.</summary>
public sealed record ZipLimits
{
    public int MaxEntries { get; init; } = 500_000;
    public long MaxEntryBytes { get; init; } = 512L * 1024 * 1024;

    /// <summary>Everything read out of one archive together; the largest real exports (a million COCO boxes) stay well below.</summary>
    public long MaxTotalBytes { get; init; } = 1L * 1024 * 1024 * 1024;

    /// <summary>Expanded size over compressed size; text exports compress about 10:1, bombs 1000:1 and more.</summary>
    public double MaxCompressionRatio { get; init; } = 200;

    /// <summary>Entries smaller than this are not held to the ratio: tiny files of repeated text compress very well.</summary>
    public long RatioCheckMinimumBytes { get; init; } = 64 * 1024;

    /// <summary>
    /// Everything expanded over the archive's own size. Many small entries each below <see cref="RatioCheckMinimumBytes"/>
    /// escape the per-entry ratio, so the archive as a whole is held to one too; per-entry headers keep real exports of
    /// many small files far below it.
    /// </summary>
    public double MaxArchiveCompressionRatio { get; init; } = 100;

    /// <summary>Archives that expand to less than this in all are not held to <see cref="MaxArchiveCompressionRatio"/>.</summary>
    public long ArchiveRatioCheckMinimumBytes { get; init; } = 4L * 1024 * 1024;

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

    /// <summary>
    /// Reads the archive's files into memory within <paramref name="limits"/>. Entries that <paramref name="wanted"/>
    /// turns down (images inside an annotation export) are never decompressed, though their names are still checked.
    /// </summary>
    public static ParseResult<IReadOnlyList<ZipFileEntry>> Read(byte[] archive, string archiveName, ZipLimits? limits = null, Func<string, bool>? wanted = null,
        CancellationToken cancellationToken = default)
    {
        limits ??= ZipLimits.Default;
        try
        {
            // The end record states the entry count; reading it first keeps a forged central directory of millions
            // of entries from being parsed into objects before the count is checked.
            if (DeclaredEntryCount(new MemoryStream(archive, writable: false)) is { } declared && declared > limits.MaxEntries)
            {
                return Fail(archiveName, $"the archive has {declared} entries; at most {limits.MaxEntries} are accepted");
            }

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

                if (name.EndsWith('/') || (wanted is not null && !wanted(name)))
                {
                    continue;
                }

                cancellationToken.ThrowIfCancellationRequested();
                var content = ReadBounded(entry, entryLabel, limits, total, archive.Length);
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

    private static ParseResult<byte[]> ReadBounded(ZipArchiveEntry entry, string entryLabel, ZipLimits limits, long totalBefore, long archiveBytes)
    {
        var cap = Math.Min(limits.MaxEntryBytes, limits.MaxTotalBytes - totalBefore);
        var archiveCap = Math.Max(limits.ArchiveRatioCheckMinimumBytes, limits.MaxArchiveCompressionRatio * Math.Max(1, archiveBytes));
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

            if (totalBefore + buffer.Length > archiveCap)
            {
                return ParseResult<byte[]>.Failure(new AnnotationError(entryLabel, null,
                    $"the archive expands more than {limits.MaxArchiveCompressionRatio}:1 in all (a zip bomb of many small entries?); refused at this entry"));
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

    /// <summary>
    /// The entry count the end of central directory record declares (the zip64 one when the classic field is
    /// saturated), or null when no end record is found, in which case the zip reader refuses the archive anyway.
    /// Reads only the archive's tail (and the zip64 record), so it costs the same for any archive size.
    /// </summary>
    public static long? DeclaredEntryCount(Stream archive)
    {
        const int endRecordSize = 22;
        if (!archive.CanSeek || archive.Length < endRecordSize)
        {
            return null;
        }

        var origin = archive.Position;
        try
        {
            var tailLength = (int)Math.Min(archive.Length, endRecordSize + ushort.MaxValue + 20);
            var tail = new byte[tailLength];
            archive.Position = archive.Length - tailLength;
            archive.ReadExactly(tail);
            for (var at = tailLength - endRecordSize; at >= 0; at--)
            {
                if (BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(at)) != 0x06054b50)
                {
                    continue;
                }

                long count = BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(at + 10));
                var locator = at - 20;
                if (count == ushort.MaxValue && locator >= 0 && BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(locator)) == 0x07064b50)
                {
                    var zip64End = BinaryPrimitives.ReadUInt64LittleEndian(tail.AsSpan(locator + 8));
                    if (zip64End <= (ulong)(archive.Length - 56))
                    {
                        var record = new byte[56];
                        archive.Position = (long)zip64End;
                        archive.ReadExactly(record);
                        if (BinaryPrimitives.ReadUInt32LittleEndian(record) == 0x06064b50)
                        {
                            var count64 = BinaryPrimitives.ReadUInt64LittleEndian(record.AsSpan(32));
                            count = count64 > long.MaxValue ? long.MaxValue : (long)count64;
                        }
                    }
                }

                return count;
            }

            return null;
        }
        finally
        {
            archive.Position = origin;
        }
    }

    private static ParseResult<IReadOnlyList<ZipFileEntry>> Fail(string entry, string message) =>
        ParseResult<IReadOnlyList<ZipFileEntry>>.Failure(new AnnotationError(entry, null, message));
}
