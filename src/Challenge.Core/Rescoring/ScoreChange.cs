using Challenge.Core.Submissions;
using Challenge.Core.Tasks;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Challenge.Core.Rescoring;

// One submission in one rescore: its scores and what scored them before, filled in with the new
// ones when the scorer saves it again. The rows of one rescore share RescoreId; the team's ranks
// before are taken when the rescore is asked for, the ranks after when its last submission is done.
public sealed class ScoreChange
{
    public long Id { get; set; }
    public Guid RescoreId { get; set; }
    public int CompetitionId { get; set; }
    public int TaskId { get; set; }
    public long SubmissionId { get; set; }
    public int TeamId { get; set; }
    public string? RequestedById { get; set; }
    public DateTime RequestedAtUtc { get; set; }

    public SubmissionStatus OldStatus { get; set; }
    public double? OldPublicScore { get; set; }
    public double? OldPrivateScore { get; set; }
    public string? OldScorerVersion { get; set; }
    public int OldSolutionVersion { get; set; }
    public int? PublicRankBefore { get; set; }
    public int? PrivateRankBefore { get; set; }

    public SubmissionStatus? NewStatus { get; set; }
    public double? NewPublicScore { get; set; }
    public double? NewPrivateScore { get; set; }
    public string? NewScorerVersion { get; set; }
    public int? NewSolutionVersion { get; set; }
    public DateTime? RescoredAtUtc { get; set; }
    public int? PublicRankAfter { get; set; }
    public int? PrivateRankAfter { get; set; }
}

internal sealed class ScoreChangeConfiguration : IEntityTypeConfiguration<ScoreChange>
{
    public void Configure(EntityTypeBuilder<ScoreChange> builder)
    {
        builder.ToTable("ScoreChanges");
        builder.HasOne<CompetitionTask>().WithMany().HasForeignKey(c => c.TaskId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Submission>().WithMany().HasForeignKey(c => c.SubmissionId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(c => c.OldStatus).HasConversion<string>().HasMaxLength(16);
        builder.Property(c => c.NewStatus).HasConversion<string>().HasMaxLength(16);
        builder.Property(c => c.OldScorerVersion).HasMaxLength(64);
        builder.Property(c => c.NewScorerVersion).HasMaxLength(64);
        builder.Property(c => c.RequestedById).HasMaxLength(450);
        builder.HasIndex(c => new { c.SubmissionId, c.RescoredAtUtc });
        builder.HasIndex(c => new { c.CompetitionId, c.RequestedAtUtc });
        builder.HasIndex(c => new { c.TeamId, c.RescoredAtUtc });
        builder.HasIndex(c => c.RescoreId);
    }
}
