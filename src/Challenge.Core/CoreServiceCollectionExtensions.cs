using Challenge.Core.Accounts;
using Challenge.Core.Challenges;
using Challenge.Core.Data;
using Challenge.Core.Demo;
using Challenge.Core.Markdown;
using Challenge.Core.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Challenge.Core;

public static class CoreServiceCollectionExtensions
{
    public const string SqliteMigrationsAssembly = "Challenge.Migrations.Sqlite";

    // settingsRoot: the folder of appsettings.json, against which relative paths are resolved.
    public static IServiceCollection AddChallengeCore(this IServiceCollection services, IConfiguration configuration, string settingsRoot)
    {
        services.AddOptions<DatabaseOptions>().Bind(configuration.GetSection(DatabaseOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DemoOptions>().Bind(configuration.GetSection(DemoOptions.Section));

        services.AddSingleton(sp => ChallengePaths.Resolve(settingsRoot, sp.GetRequiredService<IOptions<StorageOptions>>().Value.DataDirectory));
        services.AddDbContextFactory<ChallengeDbContext>((sp, options) =>
        {
            var database = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            var connectionString = string.IsNullOrWhiteSpace(database.ConnectionString)
                ? new SqliteConnectionStringBuilder { DataSource = sp.GetRequiredService<ChallengePaths>().DatabaseFile }.ToString()
                : database.ConnectionString;
            options.UseSqlite(connectionString, sqlite => sqlite.MigrationsAssembly(SqliteMigrationsAssembly));
        });

        // Keys live in the data directory so sign-in cookies and tokens outlive restarts.
        services.AddDataProtection().SetApplicationName("Challenge");
        services.AddOptions<KeyManagementOptions>().Configure<ChallengePaths, ILoggerFactory>((options, paths, loggers) =>
            options.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(Path.Combine(paths.DataDirectory, "keys")), loggers));

        services.AddIdentityCore<AppUser>(options =>
            {
                options.User.RequireUniqueEmail = true;
                options.Password.RequiredLength = AccountRules.PasswordMinLength;
                options.Password.RequireNonAlphanumeric = false;
                options.Password.RequireUppercase = false;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(5);
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<ChallengeDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<MarkdownRenderer>();
        services.AddSingleton<DemoSeeder>();
        services.AddSingleton<CompetitionService>();
        services.AddScoped<AccountService>();
        services.AddHostedService<DatabaseStartup>();
        return services;
    }
}
