using System.ComponentModel.DataAnnotations;

namespace Challenge.Core.Baselines;

public sealed class BaselineOptions
{
    public const string Section = "Baselines";

    // A worker that has not reported for this long is presumed dead and its run goes back to the queue.
    [Range(2, 3_600)]
    public int LeaseSeconds { get; set; } = 90;

    // Leases given to a run before it fails for good (a run that kills every worker it meets).
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 3;

    // The server trains queued runs itself, so a single machine needs no second process. Unset,
    // it is on with SQLite (one machine) and off with PostgreSQL (where GPU workers are expected).
    public bool? EmbeddedWorker { get; set; }

    // Cores the embedded worker trains on; unset, half the machine (at least one), so that pages
    // stay responsive while it trains.
    [Range(1, 1_024)]
    public int? EmbeddedWorkerThreads { get; set; }

    public bool EmbeddedWorkerOn(string databaseProvider) => EmbeddedWorker ?? databaseProvider == Data.DatabaseProviders.Sqlite;

    public int EmbeddedThreads => Math.Min(EmbeddedWorkerThreads ?? Math.Max(1, Environment.ProcessorCount / 2), Environment.ProcessorCount);

    public TimeSpan Lease => TimeSpan.FromSeconds(LeaseSeconds);

    // Workers report several times per lease so one lost request does not cost the run.
    public TimeSpan HeartbeatInterval => TimeSpan.FromSeconds(Math.Max(1, LeaseSeconds / 4));
}
