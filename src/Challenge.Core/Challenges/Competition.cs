namespace Challenge.Core.Challenges;

// Called "challenge" everywhere a person reads it. The type is named Competition because a type
// named Challenge would be shadowed by the root namespace Challenge in every other file.
public sealed class Competition
{
    public int Id { get; set; }
    public required string Slug { get; set; }
    public required string Title { get; set; }
    public string Subtitle { get; set; } = "";
    public string OverviewMarkdown { get; set; } = "";
    public DateTime StartsAtUtc { get; set; }
    public DateTime EndsAtUtc { get; set; }
    public CompetitionStatus Status { get; set; }
    public string? OwnerId { get; set; }
    public DateTime CreatedAtUtc { get; set; }
    public DateTime UpdatedAtUtc { get; set; }

    public bool IsPublished => Status == CompetitionStatus.Published;

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
