using Challenge.Core.Accounts;
using Challenge.Core.Baselines;
using Challenge.Core.Challenges;
using Challenge.Core.Data;
using Challenge.Core.Demo;
using Challenge.Core.Files;
using Challenge.Core.Leaderboards;
using Challenge.Core.Scheduling;
using Challenge.Core.Submissions;
using Challenge.Core.Tasks;
using Challenge.Core.Teams;
using Challenge.Core.Markdown;
using Challenge.Core.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Challenge.Core;

public static class CoreServiceCollectionExtensions
{
    public const string SqliteMigrationsAssembly = ChallengeDatabase.SqliteMigrationsAssembly;

    // settingsRoot: the folder of appsettings.json, against which relative paths are resolved.
    public static IServiceCollection AddChallengeCore(this IServiceCollection services, IConfiguration configuration, string settingsRoot)
    {
        services.AddOptions<DatabaseOptions>().Bind(configuration.GetSection(DatabaseOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<BaselineOptions>().Bind(configuration.GetSection(BaselineOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ScoringOptions>().Bind(configuration.GetSection(ScoringOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DemoOptions>().Bind(configuration.GetSection(DemoOptions.Section));

        // Both EF Core and the Quartz job store need the connection string while services are
        // being registered, so the paths are resolved here rather than from options.
        var paths = ChallengePaths.Resolve(settingsRoot,
            configuration[$"{StorageOptions.Section}:{nameof(StorageOptions.DataDirectory)}"] ?? new StorageOptions().DataDirectory);
        var database = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var provider = database.Provider;
        var connectionString = ChallengeDatabase.ResolveConnectionString(provider, database.ConnectionString, paths.DatabaseFile);
        services.AddSingleton(paths);
        // Pooled: every request opens a few contexts, and a fresh context pays for its internal
        // services and caches each time, which under upload load was a large share of the work.
        services.AddPooledDbContextFactory<ChallengeDbContext>((services, options) =>
        {
            // Reading the validated options first means a wrong setting stops the start with the
            // message naming its key, whichever service happens to need a context first.
            _ = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            options.UseChallengeDatabase(provider, connectionString);
        });

        services.AddChallengeScheduling(provider, connectionString, database.ClusterCheckinInterval);

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
            .AddClaimsPrincipalFactory<AppUserClaimsFactory>()
            .AddEntityFrameworkStores<ChallengeDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<SqliteWriteGate>();
        services.AddSingleton<MarkdownRenderer>();
        services.AddSingleton<DemoSeeder>();
        services.AddAuthorizationCore();
        services.AddSingleton<Access.ChallengeManagers>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, Access.ChallengeAccessHandler>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, Access.SubmissionAccessHandler>();
        services.AddSingleton<CompetitionService>();
        services.AddSingleton<PublishChecklist>();
        services.AddSingleton<IFileStore, LocalFileStore>();
        services.AddSingleton<DataFileService>();
        services.AddSingleton<SolutionCache>();
        services.AddSingleton<TaskService>();
        services.AddSingleton<TeamService>();
        services.AddSingleton<Scheduling.OrphanCleanup>();
        services.AddSingleton<SubmissionService>();
        services.AddSingleton<SubmissionScorer>();
        services.AddSingleton<ParameterFreeLadder>();
        services.AddSingleton<Annotations.GoldSetCache>();
        services.AddSingleton<Annotations.AssetSetService>();
        services.AddSingleton<Annotations.AnnotationSubmissionScorer>();
        services.AddSingleton<Annotations.AnnotationScoringStep>();
        services.AddSingleton<SubmissionAdminService>();
        services.AddSingleton<SubmissionLedger>();
        services.AddSingleton<SubmissionReads>();
        services.AddSingleton<TeamRoster>();
        services.AddSingleton<MyTeams>();
        services.AddSingleton<Audit.AuditTrail>();
        services.AddSingleton<Bundles.BundleImporter>();
        services.AddSingleton<Bundles.BundleExporter>();
        services.AddSingleton<Announcements.AnnouncementService>();
        services.AddSingleton<Discussions.DiscussionService>();
        if (provider == DatabaseProviders.Postgres)
        {
            // Scores land on whichever node ran the job; LISTEN/NOTIFY carries them to pages on every node.
            services.AddSingleton(services => new PostgresLeaderboardNotifier(connectionString,
                services.GetRequiredService<IDbContextFactory<ChallengeDbContext>>(),
                services.GetRequiredService<ILogger<PostgresLeaderboardNotifier>>()));
            services.AddSingleton<ILeaderboardNotifier>(services => services.GetRequiredService<PostgresLeaderboardNotifier>());
            services.AddHostedService(services => services.GetRequiredService<PostgresLeaderboardNotifier>());
        }
        else
        {
            services.AddSingleton<ILeaderboardNotifier, InProcessLeaderboardNotifier>();
        }
        services.AddSingleton<LeaderboardService>();
        services.AddSingleton<RankIntervalService>();
        services.AddSingleton<StabilityReports>();
        services.AddSingleton<Rescoring.RescoreChangelog>();
        services.AddSingleton<LeaderboardFeed>();
        services.AddSingleton<ApiTokens.ApiTokenService>();
        services.AddSingleton<BaselineService>();
        services.AddSingleton<BaselineQueue>();
        services.AddHostedService<BaselineLeaseSweeper>();
        services.AddScoped<AccountService>();
        services.AddSingleton<AccountDirectory>();
        services.AddHostedService<DatabaseStartup>();
        // Uploads hand submissions to in-process workers; the sweeper (Quartz) is the durable net.
        services.AddSingleton<ScoringQueue>();
        services.AddSingleton<ISubmissionQueue>(provider => provider.GetRequiredService<ScoringQueue>());
        services.AddHostedService<ScoringWorkers>();
        return services;
    }
}
