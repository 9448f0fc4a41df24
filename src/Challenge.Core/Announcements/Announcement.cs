using Challenge.Core.Accounts;
using Challenge.Core.Challenges;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Challenge.Core.Announcements;

/// <summary>A notice the organizers post on a challenge: shown on its overview and, once, to every participant.</summary>
public sealed class Announcement
{
    public int Id { get; set; }
    public int CompetitionId { get; set; }
    public string? AuthorId { get; set; }
    public required string Title { get; set; }
    public string BodyMarkdown { get; set; } = "";
    public DateTime CreatedAtUtc { get; set; }
    public DateTime? EditedAtUtc { get; set; }
}

// The newest announcement a person has dismissed on a challenge; ids only grow, so one number per
// person says which announcements are new to them.
public sealed class AnnouncementSeen
{
    public int CompetitionId { get; set; }
    public required string UserId { get; set; }
    public int LastSeenId { get; set; }
}

internal sealed class AnnouncementConfiguration : IEntityTypeConfiguration<Announcement>
{
    public void Configure(EntityTypeBuilder<Announcement> builder)
    {
        builder.ToTable("Announcements");
        builder.HasOne<Competition>().WithMany().HasForeignKey(a => a.CompetitionId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<AppUser>().WithMany().HasForeignKey(a => a.AuthorId).OnDelete(DeleteBehavior.SetNull);
        builder.Property(a => a.Title).HasMaxLength(AnnouncementRules.TitleMaxLength);
        builder.Property(a => a.BodyMarkdown).HasMaxLength(AnnouncementRules.BodyMaxLength);
        builder.HasIndex(a => new { a.CompetitionId, a.Id });
    }
}

internal sealed class AnnouncementSeenConfiguration : IEntityTypeConfiguration<AnnouncementSeen>
{
    public void Configure(EntityTypeBuilder<AnnouncementSeen> builder)
    {
        builder.ToTable("AnnouncementsSeen");
        builder.HasKey(s => new { s.CompetitionId, s.UserId });
        builder.HasOne<Competition>().WithMany().HasForeignKey(s => s.CompetitionId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<AppUser>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

public static class AnnouncementRules
{
    public const int TitleMaxLength = 200;
    public const int BodyMaxLength = 20_000;
}
