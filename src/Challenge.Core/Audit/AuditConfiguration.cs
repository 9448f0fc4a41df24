using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Challenge.Core.Audit;

internal sealed class AuditConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.ToTable("AuditLog");
        builder.Property(a => a.Action).HasMaxLength(64);
        builder.Property(a => a.Detail).HasMaxLength(4_000);
        builder.Property(a => a.ActorId).HasMaxLength(450);
        builder.HasIndex(a => new { a.CompetitionId, a.AtUtc });
    }
}
