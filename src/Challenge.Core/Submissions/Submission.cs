namespace Challenge.Core.Submissions;

public sealed class Submission
{
    public long Id { get; set; }
    public int CompetitionId { get; set; }
    public int TaskId { get; set; }
    public int TeamId { get; set; }
    public required string SubmittedById { get; set; }
    public long StoredFileId { get; set; }
    public Files.StoredFile? StoredFile { get; set; }
    public required string FileName { get; set; }
    public string Description { get; set; } = "";
    public SubmissionStatus Status { get; set; }
    public DateTime CreatedAtUtc { get; set; }

    // The UTC day whose quota this submission consumed (yyyy-MM-dd).
    public required string QuotaDay { get; set; }
    public bool CountsAgainstQuota { get; set; } = true;

    public double? PublicScore { get; set; }
    public double? PrivateScore { get; set; }
    public double? OverallScore { get; set; }
    public double? PublicLower { get; set; }
    public double? PublicUpper { get; set; }

    // Under the parameter-free Ladder: the public score the board shows for the team after this
    // submission, decided in submission order once the team's earlier submissions are finished
    // (null until then, and for submissions that do not count); LadderMoved when this submission
    // beat the shown score and set it. The decision needs both files, so it is taken once, by the
    // scorer (see ParameterFreeLadder), and every page reads it from here.
    public double? LadderScore { get; set; }
    public bool LadderMoved { get; set; }

    // The validation report (for the submitter) and the per-class detail (for organizers), as JSON.
    public string? ErrorsJson { get; set; }
    public int ErrorCount { get; set; }
    public string? DetailJson { get; set; }
    public string? FailureMessage { get; set; }

    // Whose failure a refused or failed submission was: the team's file, or the platform's (which
    // gives the submission back to the quota, once).
    public SubmissionFailure? FailureKind { get; set; }

    public string? ScorerVersion { get; set; }
    public int SolutionVersion { get; set; }
    public DateTime? ScoringStartedAtUtc { get; set; }
    public DateTime? ScoredAtUtc { get; set; }
    public int ScoringAttempts { get; set; }

    // The scorer that claimed this submission and until when its claim holds. A scorer renews the
    // lease while it works and saves only while it still holds the claim, so when a process dies
    // mid-scoring the lease runs out, the next claim (a retry) wins and the dead one can never save.
    public Guid? ScoringClaim { get; set; }
    public DateTime? ScoringLeaseUntilUtc { get; set; }
    public int? ScoringMilliseconds { get; set; }

    public bool IsSelected { get; set; }
    public bool IsHidden { get; set; }

    // Shown to the team beside its hidden submission: why the organizers took it off the board.
    public string? HiddenReason { get; set; }
    public bool IsBaseline { get; set; }
}

public enum SubmissionFailure
{
    // The team's file: refused by validation, or its score not a finite number.
    FileRefused,

    // The platform's: the scorer threw on a valid file, ran past the scoring time limit
    // (Scoring:TimeLimit), or the process or machine scoring it died too often (its lease ran out
    // each time). Submissions are scored inside the server's own processes, whose scoring workers
    // live and die with their process, so a lost worker is a lost node: there is no separate kind.
    // Baseline workers outside the server lose only their run (it goes back to the run queue);
    // their submission exists once the predictions are uploaded and is scored like any other.
    ScorerCrash,
    Timeout,
    NodeLost,
}

public static class SubmissionFailures
{
    public static bool IsPlatform(this SubmissionFailure? failure) => failure is SubmissionFailure.ScorerCrash or SubmissionFailure.Timeout or SubmissionFailure.NodeLost;
}

public enum SubmissionStatus
{
    Queued = 0,
    Scoring = 1,
    Scored = 2,
    Rejected = 3,
    Failed = 4,
}

// Submissions consumed per team, task and UTC day. Taking one is a single conditional UPDATE,
// which both SQLite and PostgreSQL serialise, so parallel uploads can never overrun the limit.
public sealed class DailyQuota
{
    public int TeamId { get; set; }
    public int TaskId { get; set; }
    public required string Day { get; set; }
    public int Used { get; set; }

    // Extra submissions an organizer granted this team for this day (audited, with a reason).
    public int Granted { get; set; }
}
