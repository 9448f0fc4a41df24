using Challenge.Core.Tasks;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Challenge.Core.Annotations;

// One image of a task's asset set, indexed when the organizer uploads the archive. ImageId is the id
// the annotation library matches submissions against; EntryName is where the bytes sit in the stored zip.
public sealed class AssetImage
{
    public long Id { get; set; }
    public int TaskId { get; set; }
    public int ImageId { get; set; }
    public required string EntryName { get; set; }
    public required string FileName { get; set; }
    public long Length { get; set; }
    public int Width { get; set; }
    public int Height { get; set; }
    public required string ContentType { get; set; }
}

internal sealed class AssetImageConfiguration : IEntityTypeConfiguration<AssetImage>
{
    public void Configure(EntityTypeBuilder<AssetImage> builder)
    {
        builder.ToTable("AssetImages");
        builder.HasOne<CompetitionTask>().WithMany().HasForeignKey(i => i.TaskId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(i => new { i.TaskId, i.ImageId }).IsUnique();
        builder.HasIndex(i => new { i.TaskId, i.FileName });
        builder.Property(i => i.EntryName).HasMaxLength(1024);
        builder.Property(i => i.FileName).HasMaxLength(512);
        builder.Property(i => i.ContentType).HasMaxLength(32);
    }
}
