using Challenge.Core.Files;
using Challenge.Core.Tasks;
using Challenge.Core.Teams;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Challenge.Core.Submissions;

internal sealed class SubmissionConfiguration : IEntityTypeConfiguration<Submission>
{
    public void Configure(EntityTypeBuilder<Submission> builder)
    {
        builder.ToTable("Submissions");
        builder.HasOne<CompetitionTask>().WithMany().HasForeignKey(s => s.TaskId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Team>().WithMany().HasForeignKey(s => s.TeamId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(s => s.StoredFile).WithMany().HasForeignKey(s => s.StoredFileId).OnDelete(DeleteBehavior.Restrict);
        builder.Property(s => s.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(s => s.FileName).HasMaxLength(256);
        builder.Property(s => s.Description).HasMaxLength(SubmissionRules.DescriptionMaxLength);
        builder.Property(s => s.QuotaDay).HasMaxLength(10);
        builder.Property(s => s.ScorerVersion).HasMaxLength(64);
        builder.Property(s => s.SubmittedById).HasMaxLength(450);
        builder.Property(s => s.FailureMessage).HasMaxLength(2_000);
        builder.Property(s => s.FailureKind).HasConversion<string>().HasMaxLength(16);
        builder.Property(s => s.HiddenReason).HasMaxLength(1_000);
        // Leaderboards read the visible submissions of a task, all of them (a full build) or one
        // team's (a refresh): the index holds every column they read, so SQLite never visits the
        // table rows, and the team follows the task so that a refresh seeks only its own rows.
        builder.HasIndex(s => new { s.TaskId, s.TeamId, s.IsHidden, s.Status, s.PublicScore, s.CreatedAtUtc, s.PrivateScore, s.PublicLower, s.PublicUpper, s.IsSelected })
            .HasDatabaseName("IX_Submissions_Board");
        builder.HasIndex(s => new { s.TeamId, s.TaskId, s.CreatedAtUtc });
        builder.HasIndex(s => s.Status);
    }
}

internal sealed class DailyQuotaConfiguration : IEntityTypeConfiguration<DailyQuota>
{
    public void Configure(EntityTypeBuilder<DailyQuota> builder)
    {
        builder.ToTable("DailyQuotas");
        builder.HasKey(q => new { q.TeamId, q.TaskId, q.Day });
        builder.Property(q => q.Day).HasMaxLength(10);
        builder.HasOne<Team>().WithMany().HasForeignKey(q => q.TeamId).OnDelete(DeleteBehavior.Cascade);
    }
}
