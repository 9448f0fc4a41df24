using System.Buffers;
using System.Security.Cryptography;
using Challenge.Core.Storage;

namespace Challenge.Core.Files;

// Files go to <data>/files/<area>/<yyyy>/<mm>/<guid>. A file is written under a temporary name and
// renamed once complete, so a crash never leaves a half-written file behind a database row.
public sealed class LocalFileStore(ChallengePaths paths) : IFileStore
{
    private const int BufferSize = 1 << 16;

    private string Root => Path.Combine(paths.DataDirectory, "files");

    public async Task<StoredContent> SaveAsync(Stream content, string area, long maxBytes, CancellationToken cancellationToken)
    {
        var now = DateTime.UtcNow;
        var key = $"{area}/{now:yyyy}/{now:MM}/{Guid.NewGuid():N}";
        var path = FullPath(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".part";

        long length = 0;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        try
        {
            // Whole chunks are written, so the stream needs no buffer of its own; the chunk buffer
            // is pooled because every upload passes through here.
            var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
            try
            {
                await using var output = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, useAsync: true);
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    length += read;
                    if (length > maxBytes)
                    {
                        throw new FileTooLargeException(maxBytes);
                    }
                    hash.AppendData(buffer, 0, read);
                    await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
                output.Flush(flushToDisk: true);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
            File.Move(temporary, path);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
        return new StoredContent(key, length, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    public Stream OpenRead(string storageKey) =>
        new FileStream(FullPath(storageKey), FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true);

    public Task DeleteAsync(string storageKey)
    {
        File.Delete(FullPath(storageKey));
        return Task.CompletedTask;
    }

    private string FullPath(string storageKey)
    {
        var path = Path.GetFullPath(Path.Combine(Root, storageKey));
        if (!path.StartsWith(Path.GetFullPath(Root) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{storageKey}' is not a storage key.", nameof(storageKey));
        }
        return path;
    }
}
