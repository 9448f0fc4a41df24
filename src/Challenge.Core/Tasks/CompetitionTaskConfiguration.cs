using Challenge.Core.Challenges;
using Challenge.Core.Files;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Challenge.Core.Tasks;

internal sealed class CompetitionTaskConfiguration : IEntityTypeConfiguration<CompetitionTask>
{
    public void Configure(EntityTypeBuilder<CompetitionTask> builder)
    {
        builder.ToTable("Tasks");
        builder.HasOne<Competition>().WithMany().HasForeignKey(t => t.CompetitionId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<StoredFile>().WithMany().HasForeignKey(t => t.SolutionFileId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(t => new { t.CompetitionId, t.Slug }).IsUnique();
        builder.Property(t => t.Slug).HasMaxLength(CompetitionRules.SlugMaxLength);
        builder.Property(t => t.Title).HasMaxLength(CompetitionRules.TitleMaxLength);
        builder.Property(t => t.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(t => t.Metric).HasMaxLength(64);
        builder.Property(t => t.IdColumn).HasMaxLength(128);
        builder.Property(t => t.TargetColumn).HasMaxLength(128);
        builder.Property(t => t.ClassWeightsJson).HasMaxLength(100_000);
        builder.Property(t => t.ClassesJson).HasMaxLength(200_000);
        builder.Property(t => t.ScoringOptionsJson).HasMaxLength(200_000);
        builder.Property(t => t.Family).HasConversion<string>().HasMaxLength(16);
        builder.Property(t => t.RankingFormula).HasMaxLength(1000);
        // Tasks created before rank intervals existed get the usual number of resamples.
        builder.Property(t => t.RankResamples).HasDefaultValue(1000);
        builder.HasOne<StoredFile>().WithMany().HasForeignKey(t => t.ImagesFileId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<StoredFile>().WithMany().HasForeignKey(t => t.PreAnnotationsFileId).OnDelete(DeleteBehavior.Restrict);
    }
}
