namespace Challenge.Core.Challenges;

// Called "challenge" everywhere a person reads it. The type is named Competition because a type
// named Challenge would be shadowed by the root namespace Challenge in every other file.
public sealed class Competition
{
    public List<CompetitionOrganizer> CoOrganizers { get; set; } = [];

    public int Id { get; set; }
    public required string Slug { get; set; }
    public required string Title { get; set; }
    public string Subtitle { get; set; } = "";
    public string OverviewMarkdown { get; set; } = "";
    public string DataMarkdown { get; set; } = "";
    public string EvaluationMarkdown { get; set; } = "";
    public string RulesMarkdown { get; set; } = "";
    public DateTime StartsAtUtc { get; set; }
    public DateTime EndsAtUtc { get; set; }
    public DateTime? TeamMergerDeadlineUtc { get; set; }
    public CompetitionStatus Status { get; set; }

    public int DailySubmissionLimit { get; set; } = 5;
    public int MaxFinalSelections { get; set; } = 2;
    public int MaxTeamSize { get; set; } = 5;
    public bool RejectedSubmissionsCount { get; set; }

    // Set when the final deadline passes (or an organizer reveals early): private scores become visible.
    public DateTime? PrivateRevealedAtUtc { get; set; }
    public string? OwnerId { get; set; }
    public DateTime CreatedAtUtc { get; set; }
    public DateTime UpdatedAtUtc { get; set; }

    public bool IsPublished => Status == CompetitionStatus.Published;

    // A reveal holds for the end date it followed: once an organizer moves the end later (the
    // challenge runs again), the private scores are hidden until the new end, even before the
    // stored reveal is cleared, so a reopened challenge never shows them while it runs.
    public bool IsPrivateRevealed => PrivateRevealedAtUtc is { } revealed && revealed >= EndsAtUtc;

    public bool AcceptsSubmissionsAt(DateTime nowUtc) => PhaseAt(nowUtc) == CompetitionPhase.Running;

    public DateTime MergerDeadlineUtc => TeamMergerDeadlineUtc ?? EndsAtUtc;

    public CompetitionPhase PhaseAt(DateTime nowUtc) =>
        nowUtc < StartsAtUtc ? CompetitionPhase.Upcoming
        : nowUtc < EndsAtUtc ? CompetitionPhase.Running
        : CompetitionPhase.Ended;
}

public enum CompetitionStatus
{
    Draft = 0,
    Published = 1,
}

public enum CompetitionPhase
{
    Upcoming,
    Running,
    Ended,
}

// Organizers besides the owner who may manage the challenge.
public sealed class CompetitionOrganizer
{
    public int CompetitionId { get; set; }
    public required string UserId { get; set; }
}
