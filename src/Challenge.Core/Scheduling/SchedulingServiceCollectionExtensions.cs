using System.Security.Cryptography;
using System.Text;
using Challenge.Core.Submissions;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace Challenge.Core.Scheduling;

internal static class SchedulingServiceCollectionExtensions
{

    public static IServiceCollection AddChallengeScheduling(this IServiceCollection services, string connectionString)
    {
        // The persistent store keys its rows by this name, so it must stay the same across restarts
        // for interrupted jobs to be recovered; Quartz's SQLite lock is held in process memory per
        // name, so schedulers on different databases in one process (test hosts) must not share one.
        var schedulerName = "Challenge-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(connectionString)))[..10];
        services.AddQuartz(quartz =>
        {
            quartz.ConfigureScheduler(scheduler => scheduler.InstanceName = schedulerName);
            quartz.UseDefaultThreadPool(Math.Max(2, Environment.ProcessorCount));
            quartz.UsePersistentStore(store =>
            {
                store.UseSqlite(connectionString);
                store.UseSystemTextJsonSerializer(_ => { });
                store.ProvisionSchema();
            });
            quartz.AddJobType<ScoreSubmissionJob>();
            quartz.AddJobType<DeadlineJob>();
            quartz.ScheduleJob<SweepJob>(
                trigger => trigger.WithIdentity("sweep", "maintenance").StartNow()
                    .WithSchedule(SimpleScheduleBuilder.Create().WithInterval(SweepJob.Interval).RepeatForever()),
                job => job.WithIdentity(SweepJob.Key));
        });
        services.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);
        services.AddSingleton<DeadlineScheduler>();
        return services;
    }
}
