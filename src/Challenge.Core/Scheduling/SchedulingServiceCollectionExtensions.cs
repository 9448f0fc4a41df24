using System.Security.Cryptography;
using System.Text;
using Challenge.Core.Data;
using Challenge.Core.Submissions;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace Challenge.Core.Scheduling;

internal static class SchedulingServiceCollectionExtensions
{

    public static IServiceCollection AddChallengeScheduling(this IServiceCollection services, string provider, string connectionString, TimeSpan clusterCheckinInterval)
    {
        // The persistent store keys its rows by this name, so it must stay the same across restarts
        // for interrupted jobs to be recovered, and be the same on every node of a cluster (they
        // share one database, hence one connection string); Quartz's SQLite lock is held in process
        // memory per name, so schedulers on different databases in one process (test hosts) must
        // not share one.
        var schedulerName = "Challenge-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(SchedulerKey(provider, connectionString))))[..10];
        services.AddQuartz(quartz =>
        {
            quartz.ConfigureScheduler(scheduler => scheduler.InstanceName = schedulerName);
            quartz.UseDefaultThreadPool(Math.Max(2, Environment.ProcessorCount));
            quartz.UsePersistentStore(store =>
            {
                if (provider == DatabaseProviders.Postgres)
                {
                    store.UsePostgres(connectionString);
                    // Nodes share the scoring queue and the scheduled jobs; a node that stops
                    // checking in has its recoverable jobs (scoring) re-run by another node. Each
                    // node gets its own generated instance id (host name and start time).
                    store.UseClustering(cluster =>
                    {
                        cluster.CheckinInterval = clusterCheckinInterval;
                        cluster.CheckinMisfireThreshold = clusterCheckinInterval;
                    });
                }
                else
                {
                    store.UseSqlite(connectionString);
                }
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

    // Nodes may reach one PostgreSQL server under different host names or credentials; what
    // identifies the cluster is the database they share.
    private static string SchedulerKey(string provider, string connectionString)
    {
        if (provider != DatabaseProviders.Postgres)
        {
            return connectionString;
        }
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        return $"postgres/{builder.Database ?? builder.Username}";
    }
}
