using Challenge.Core.Accounts;
using Challenge.Core.ApiTokens;
using Challenge.Core.Audit;
using Challenge.Core.Baselines;
using Challenge.Core.Files;
using Challenge.Core.Submissions;
using Challenge.Core.Tasks;
using Challenge.Core.Teams;
using Challenge.Core.Challenges;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Data;

public sealed class ChallengeDbContext(DbContextOptions<ChallengeDbContext> options)
    : IdentityDbContext<AppUser>(options)
{
    public DbSet<Competition> Competitions => Set<Competition>();
    public DbSet<CompetitionOrganizer> CompetitionOrganizers => Set<CompetitionOrganizer>();
    public DbSet<CompetitionTask> Tasks => Set<CompetitionTask>();
    public DbSet<StoredFile> StoredFiles => Set<StoredFile>();
    public DbSet<DataFile> DataFiles => Set<DataFile>();
    public DbSet<Team> Teams => Set<Team>();
    public DbSet<TeamMember> TeamMembers => Set<TeamMember>();
    public DbSet<Participation> Participations => Set<Participation>();
    public DbSet<Submission> Submissions => Set<Submission>();
    public DbSet<DailyQuota> DailyQuotas => Set<DailyQuota>();
    public DbSet<AuditEntry> AuditLog => Set<AuditEntry>();
    public DbSet<Rescoring.ScoreChange> ScoreChanges => Set<Rescoring.ScoreChange>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<Annotations.AssetImage> AssetImages => Set<Annotations.AssetImage>();
    public DbSet<BaselineRun> BaselineRuns => Set<BaselineRun>();
    public DbSet<BaselineWorker> BaselineWorkers => Set<BaselineWorker>();
    public DbSet<Announcements.Announcement> Announcements => Set<Announcements.Announcement>();
    public DbSet<Announcements.AnnouncementSeen> AnnouncementsSeen => Set<Announcements.AnnouncementSeen>();
    public DbSet<Discussions.DiscussionThread> DiscussionThreads => Set<Discussions.DiscussionThread>();
    public DbSet<Discussions.DiscussionPost> DiscussionPosts => Set<Discussions.DiscussionPost>();

    // Every stored time is UTC. PostgreSQL's timestamptz accepts only UTC values, and SQLite hands
    // times back without a kind; stating it here keeps both engines returning the same values.
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(ChallengeDbContext).Assembly);
    }
}
