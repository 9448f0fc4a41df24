using Challenge.Core.Accounts;
using Challenge.Core.Challenges;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Data;

public sealed class ChallengeDbContext(DbContextOptions<ChallengeDbContext> options)
    : IdentityDbContext<AppUser>(options)
{
    public DbSet<Competition> Competitions => Set<Competition>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(ChallengeDbContext).Assembly);
    }
}
