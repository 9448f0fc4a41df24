using Challenge.Core.Accounts;
using Challenge.Core.Challenges;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Challenge.Core.Teams;

internal sealed class TeamConfiguration : IEntityTypeConfiguration<Team>
{
    public void Configure(EntityTypeBuilder<Team> builder)
    {
        builder.ToTable("Teams");
        builder.HasOne<Competition>().WithMany().HasForeignKey(t => t.CompetitionId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(t => t.Name).HasMaxLength(TeamRules.NameMaxLength);
        builder.HasIndex(t => new { t.CompetitionId, t.Name }).IsUnique();
        builder.Property(t => t.InviteCode).HasMaxLength(32);
        builder.HasIndex(t => t.InviteCode).IsUnique();
        builder.Property(t => t.DisqualificationReason).HasMaxLength(1_000);
        builder.HasMany(t => t.Members).WithOne().HasForeignKey(m => m.TeamId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class TeamMemberConfiguration : IEntityTypeConfiguration<TeamMember>
{
    public void Configure(EntityTypeBuilder<TeamMember> builder)
    {
        builder.ToTable("TeamMembers");
        builder.HasKey(m => new { m.TeamId, m.UserId });
        // One team per person per challenge, enforced by the database.
        builder.HasIndex(m => new { m.CompetitionId, m.UserId }).IsUnique();
        builder.HasOne<AppUser>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ParticipationConfiguration : IEntityTypeConfiguration<Participation>
{
    public void Configure(EntityTypeBuilder<Participation> builder)
    {
        builder.ToTable("Participations");
        builder.HasKey(p => new { p.CompetitionId, p.UserId });
        builder.HasOne<Competition>().WithMany().HasForeignKey(p => p.CompetitionId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<AppUser>().WithMany().HasForeignKey(p => p.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
