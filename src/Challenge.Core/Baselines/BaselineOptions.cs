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

    public TimeSpan Lease => TimeSpan.FromSeconds(LeaseSeconds);

    // Workers report several times per lease so one lost request does not cost the run.
    public TimeSpan HeartbeatInterval => TimeSpan.FromSeconds(Math.Max(1, LeaseSeconds / 4));
}
