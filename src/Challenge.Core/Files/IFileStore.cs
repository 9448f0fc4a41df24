namespace Challenge.Core.Files;

// One small seam so a shared directory can later be swapped for an object store.
public interface IFileStore
{
    // Streams the content to storage under a new key and returns the key, length and SHA-256;
    // stops with FileTooLargeException past maxBytes, leaving nothing behind.
    Task<StoredContent> SaveAsync(Stream content, string area, long maxBytes, CancellationToken cancellationToken);

    Stream OpenRead(string storageKey);

    Task DeleteAsync(string storageKey);
}

public sealed record StoredContent(string StorageKey, long Length, string Sha256);

public sealed class FileTooLargeException(long maxBytes)
    : Exception($"The file is larger than the limit of {maxBytes:N0} bytes.")
{
    public long MaxBytes { get; } = maxBytes;
}
