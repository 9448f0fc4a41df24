namespace Challenge.Core.Baselines;

// One request to train a reference model for a task, leased by one worker at a time. The lease
// id changes on every lease, so a worker that lost its lease (it stalled and the run went to
// another worker) can no longer report on or complete the run.
public sealed class BaselineRun
{
    public long Id { get; set; }
    public int CompetitionId { get; set; }
    public int TaskId { get; set; }
    public required string Model { get; set; }
    public int Epochs { get; set; }
    public BaselineDevice Device { get; set; }
    public int Seed { get; set; }

    // The challenge's data files to train on and to predict; Ids of the predictions are the
    // images' positions in the test file.
    // Null once the organizer removed the file; a run leased then fails with a message.
    public int? TrainFileId { get; set; }
    public int? TestFileId { get; set; }
    public int? UnlabelledFileId { get; set; }

    public required string RequestedById { get; set; }
    public BaselineRunStatus Status { get; set; }
    public DateTime CreatedAtUtc { get; set; }
    public DateTime? StartedAtUtc { get; set; }
    public DateTime? FinishedAtUtc { get; set; }

    public int? WorkerId { get; set; }
    public string? LeaseId { get; set; }
    public DateTime? LeaseExpiresAtUtc { get; set; }
    public DateTime? LastHeartbeatAtUtc { get; set; }
    public int Attempts { get; set; }

    public string? Stage { get; set; }
    public int Epoch { get; set; }
    public int EpochCount { get; set; }
    public double Fraction { get; set; }
    public double? Loss { get; set; }
    public double? ValidationAccuracy { get; set; }
    public double? ExamplesPerSecond { get; set; }
    public int? EtaSeconds { get; set; }
    public string? DeviceUsed { get; set; }

    // JSON array of LossPoint, bounded by BaselineRules.MaxCurvePoints.
    public string LossCurveJson { get; set; } = "[]";

    // The tail of the worker's output, bounded by BaselineRules.MaxLogChars.
    public string Log { get; set; } = "";
    public string? Message { get; set; }

    public long? SubmissionId { get; set; }

    public bool IsActive => Status is BaselineRunStatus.Queued or BaselineRunStatus.Running;

    public TimeSpan? Duration => StartedAtUtc is { } started ? (FinishedAtUtc ?? DateTime.UtcNow) - started : null;
}

public enum BaselineRunStatus
{
    Queued = 0,
    Running = 1,
    Succeeded = 2,
    Failed = 3,
    Cancelled = 4,
}

public enum BaselineDevice
{
    Auto = 0,
    Cpu = 1,
    Cuda = 2,
}

// X counts epochs from the start of the run (a second training stage continues where the first ended).
public sealed record LossPoint(double X, double Loss, double? ValidationAccuracy, string Stage);
