using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Challenge.Core.Challenges;

internal sealed class CompetitionConfiguration : IEntityTypeConfiguration<Competition>
{
    public void Configure(EntityTypeBuilder<Competition> builder)
    {
        builder.ToTable("Challenges");
        builder.Property(c => c.Slug).HasMaxLength(CompetitionRules.SlugMaxLength).IsRequired();
        builder.HasIndex(c => c.Slug).IsUnique();
        builder.Property(c => c.Title).HasMaxLength(CompetitionRules.TitleMaxLength).IsRequired();
        builder.Property(c => c.Subtitle).HasMaxLength(CompetitionRules.SubtitleMaxLength);
        builder.Property(c => c.OverviewMarkdown).HasMaxLength(CompetitionRules.OverviewMaxLength);
        builder.Property(c => c.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(c => c.OwnerId).HasMaxLength(450);
        builder.HasIndex(c => new { c.Status, c.StartsAtUtc });
        builder.Property(c => c.DataMarkdown).HasMaxLength(CompetitionRules.OverviewMaxLength);
        builder.Property(c => c.EvaluationMarkdown).HasMaxLength(CompetitionRules.OverviewMaxLength);
        builder.Property(c => c.RulesMarkdown).HasMaxLength(CompetitionRules.OverviewMaxLength);
        builder.Ignore(c => c.IsPublished);
        builder.Ignore(c => c.IsPrivateRevealed);
        builder.Ignore(c => c.MergerDeadlineUtc);
        builder.HasMany(c => c.CoOrganizers).WithOne().HasForeignKey(o => o.CompetitionId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CompetitionOrganizerConfiguration : IEntityTypeConfiguration<CompetitionOrganizer>
{
    public void Configure(EntityTypeBuilder<CompetitionOrganizer> builder)
    {
        builder.ToTable("ChallengeOrganizers");
        builder.HasKey(o => new { o.CompetitionId, o.UserId });
        builder.Property(o => o.UserId).HasMaxLength(450);
        builder.HasIndex(o => o.UserId);
    }
}
