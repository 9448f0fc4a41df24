using Challenge.Core.Accounts;
using Challenge.Core.Challenges;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Challenge.Core.Discussions;

/// <summary>A discussion thread on a challenge; its first post is the opening message.</summary>
public sealed class DiscussionThread
{
    public int Id { get; set; }
    public int CompetitionId { get; set; }
    public string? AuthorId { get; set; }
    public required string Title { get; set; }
    public DateTime CreatedAtUtc { get; set; }
    // Threads are listed by their latest activity, as forums do.
    public DateTime LastPostAtUtc { get; set; }
}

public sealed class DiscussionPost
{
    public long Id { get; set; }
    public int ThreadId { get; set; }
    public int CompetitionId { get; set; }
    public string? AuthorId { get; set; }
    public string BodyMarkdown { get; set; } = "";
    // Whether the author managed the challenge when posting: the mark stays true to what they were.
    public bool ByOrganizer { get; set; }
    public DateTime CreatedAtUtc { get; set; }
    public DateTime? EditedAtUtc { get; set; }
    public DateTime? HiddenAtUtc { get; set; }
    public string? HiddenReason { get; set; }
    public string? HiddenById { get; set; }
}

internal sealed class DiscussionThreadConfiguration : IEntityTypeConfiguration<DiscussionThread>
{
    public void Configure(EntityTypeBuilder<DiscussionThread> builder)
    {
        builder.ToTable("DiscussionThreads");
        builder.HasOne<Competition>().WithMany().HasForeignKey(t => t.CompetitionId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<AppUser>().WithMany().HasForeignKey(t => t.AuthorId).OnDelete(DeleteBehavior.SetNull);
        builder.Property(t => t.Title).HasMaxLength(DiscussionRules.TitleMaxLength);
        builder.HasIndex(t => new { t.CompetitionId, t.LastPostAtUtc });
    }
}

internal sealed class DiscussionPostConfiguration : IEntityTypeConfiguration<DiscussionPost>
{
    public void Configure(EntityTypeBuilder<DiscussionPost> builder)
    {
        builder.ToTable("DiscussionPosts");
        builder.HasOne<DiscussionThread>().WithMany().HasForeignKey(p => p.ThreadId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<AppUser>().WithMany().HasForeignKey(p => p.AuthorId).OnDelete(DeleteBehavior.SetNull);
        builder.Property(p => p.BodyMarkdown).HasMaxLength(DiscussionRules.BodyMaxLength);
        builder.Property(p => p.HiddenReason).HasMaxLength(1_000);
        builder.Property(p => p.HiddenById).HasMaxLength(450);
        builder.HasIndex(p => new { p.ThreadId, p.Id });
    }
}

public static class DiscussionRules
{
    public const int TitleMaxLength = 200;
    public const int BodyMaxLength = 20_000;
    public const int ThreadsPerPage = 20;
    public const int PostsPerPage = 30;
}
