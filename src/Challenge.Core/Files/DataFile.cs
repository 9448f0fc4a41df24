namespace Challenge.Core.Files;

// A file participants download: training set, unlabelled set, test inputs.
public sealed class DataFile
{
    public int Id { get; set; }
    public int CompetitionId { get; set; }
    public long StoredFileId { get; set; }
    public StoredFile? StoredFile { get; set; }
    public required string FileName { get; set; }
    public string Description { get; set; } = "";
    public DateTime CreatedAtUtc { get; set; }
}
