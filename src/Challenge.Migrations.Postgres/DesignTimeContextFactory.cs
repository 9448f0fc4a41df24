using Challenge.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Challenge.Migrations.Postgres;

// Lets the EF tools build the model without starting the web host; adding a migration never
// connects, so the server named here need not exist.
internal sealed class DesignTimeContextFactory : IDesignTimeDbContextFactory<ChallengeDbContext>
{
    public ChallengeDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<ChallengeDbContext>()
            .UseChallengeDatabase(DatabaseProviders.Postgres, "Host=localhost;Database=challenge_design")
            .Options);
}
