using Challenge.Core;
using Challenge.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Challenge.Migrations.Sqlite;

// Lets the EF tools build the model without starting the web host.
internal sealed class DesignTimeContextFactory : IDesignTimeDbContextFactory<ChallengeDbContext>
{
    public ChallengeDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<ChallengeDbContext>()
            .UseSqlite("Data Source=design-time.db", sqlite => sqlite.MigrationsAssembly(CoreServiceCollectionExtensions.SqliteMigrationsAssembly))
            .Options);
}
