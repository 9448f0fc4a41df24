using Challenge.Core.Challenges;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Challenge.Core.Files;

internal sealed class StoredFileConfiguration : IEntityTypeConfiguration<StoredFile>
{
    public void Configure(EntityTypeBuilder<StoredFile> builder)
    {
        builder.ToTable("StoredFiles");
        builder.Property(f => f.StorageKey).HasMaxLength(256);
        builder.HasIndex(f => f.StorageKey).IsUnique();
        builder.Property(f => f.OriginalName).HasMaxLength(256);
        builder.Property(f => f.Sha256).HasMaxLength(64);
    }
}

internal sealed class DataFileConfiguration : IEntityTypeConfiguration<DataFile>
{
    public void Configure(EntityTypeBuilder<DataFile> builder)
    {
        builder.ToTable("DataFiles");
        builder.HasOne<Competition>().WithMany().HasForeignKey(f => f.CompetitionId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(f => f.StoredFile).WithMany().HasForeignKey(f => f.StoredFileId).OnDelete(DeleteBehavior.Restrict);
        builder.Property(f => f.FileName).HasMaxLength(256);
        builder.Property(f => f.Description).HasMaxLength(2_000);
        builder.HasIndex(f => new { f.CompetitionId, f.FileName }).IsUnique();
    }
}
