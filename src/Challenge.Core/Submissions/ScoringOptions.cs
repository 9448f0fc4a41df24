using System.ComponentModel.DataAnnotations;

namespace Challenge.Core.Submissions;

public sealed class ScoringOptions
{
    public const string Section = "Scoring";

    // One scoring attempt that runs longer than this is stopped and the submission fails as the
    // platform's (Timeout), given back to the team's quota: a file that makes a metric crawl must
    // not hold a scoring worker for ever. Scoring the same file again would only time out again,
    // so it is not retried.
    [Range(typeof(TimeSpan), "00:00:00.0000001", "1.00:00:00", ErrorMessage = "Scoring:TimeLimit must lie between one tick and one day (e.g. 00:10:00).")]
    public TimeSpan TimeLimit { get; set; } = TimeSpan.FromMinutes(10);
}
