namespace Challenge.Core.Files;

// Metadata of a file in the file store; the bytes live under the data directory, never in the database.
public sealed class StoredFile
{
    public long Id { get; set; }
    public required string StorageKey { get; set; }
    public required string OriginalName { get; set; }
    public long Length { get; set; }
    public required string Sha256 { get; set; }
    public DateTime CreatedAtUtc { get; set; }
}
