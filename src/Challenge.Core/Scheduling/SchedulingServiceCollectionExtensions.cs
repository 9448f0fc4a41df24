using Challenge.Core.Submissions;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace Challenge.Core.Scheduling;

internal static class SchedulingServiceCollectionExtensions
{
    public const string SchedulerName = "Challenge";

    public static IServiceCollection AddChallengeScheduling(this IServiceCollection services, string connectionString)
    {
        services.AddQuartz(quartz =>
        {
            // The persistent store keys its rows by this name: it must stay the same across
            // restarts for interrupted jobs to be recovered.
            quartz.ConfigureScheduler(scheduler => scheduler.InstanceName = SchedulerName);
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
        services.AddSingleton<ISubmissionQueue, QuartzSubmissionQueue>();
        services.AddSingleton<DeadlineScheduler>();
        return services;
    }
}
