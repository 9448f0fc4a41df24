using Challenge.Core.Accounts;
using Challenge.Core.Challenges;
using Challenge.Core.Files;
using Challenge.Core.Tasks;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Challenge.Core.Baselines;

internal sealed class BaselineRunConfiguration : IEntityTypeConfiguration<BaselineRun>
{
    public void Configure(EntityTypeBuilder<BaselineRun> builder)
    {
        builder.ToTable("BaselineRuns");
        builder.HasOne<Competition>().WithMany().HasForeignKey(r => r.CompetitionId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<CompetitionTask>().WithMany().HasForeignKey(r => r.TaskId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<DataFile>().WithMany().HasForeignKey(r => r.TrainFileId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne<DataFile>().WithMany().HasForeignKey(r => r.TestFileId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne<DataFile>().WithMany().HasForeignKey(r => r.UnlabelledFileId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne<BaselineWorker>().WithMany().HasForeignKey(r => r.WorkerId).OnDelete(DeleteBehavior.SetNull);
        builder.Property(r => r.Model).HasMaxLength(32);
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Device).HasConversion<string>().HasMaxLength(8);
        builder.Property(r => r.RequestedById).HasMaxLength(450);
        builder.Property(r => r.LeaseId).HasMaxLength(32);
        builder.Property(r => r.Stage).HasMaxLength(100);
        builder.Property(r => r.DeviceUsed).HasMaxLength(200);
        builder.Property(r => r.Message).HasMaxLength(BaselineRules.MaxMessageChars);
        builder.Ignore(r => r.IsActive);
        builder.Ignore(r => r.Duration);
        // Workers look for the oldest queued run; the sweeper for running runs by lease expiry.
        builder.HasIndex(r => new { r.Status, r.Id });
        builder.HasIndex(r => new { r.CompetitionId, r.Id });
    }
}

internal sealed class BaselineWorkerConfiguration : IEntityTypeConfiguration<BaselineWorker>
{
    public void Configure(EntityTypeBuilder<BaselineWorker> builder)
    {
        builder.ToTable("BaselineWorkers");
        builder.HasOne<AppUser>().WithMany().HasForeignKey(w => w.CreatedById).OnDelete(DeleteBehavior.Cascade);
        builder.Property(w => w.Name).HasMaxLength(64);
        builder.Property(w => w.Prefix).HasMaxLength(16);
        builder.Property(w => w.Hash).HasMaxLength(64);
        builder.HasIndex(w => w.Hash).IsUnique();
        builder.Property(w => w.Machine).HasMaxLength(200);
        builder.Property(w => w.Devices).HasMaxLength(500);
    }
}
