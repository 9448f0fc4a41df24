namespace Challenge.Core.Challenges;

// What the organizer's form edits; dates are UTC.
public sealed class CompetitionInput
{
    public string Slug { get; set; } = "";
    public string Title { get; set; } = "";
    public string Subtitle { get; set; } = "";
    public string OverviewMarkdown { get; set; } = "";
    public DateTime? StartsAtUtc { get; set; }
    public DateTime? EndsAtUtc { get; set; }
    public bool Published { get; set; }

    public static CompetitionInput From(Competition competition) => new()
    {
        Slug = competition.Slug,
        Title = competition.Title,
        Subtitle = competition.Subtitle,
        OverviewMarkdown = competition.OverviewMarkdown,
        StartsAtUtc = competition.StartsAtUtc,
        EndsAtUtc = competition.EndsAtUtc,
        Published = competition.IsPublished,
    };
}

public sealed record SaveResult(Competition? Saved, IReadOnlyDictionary<string, string> Errors)
{
    public bool Succeeded => Saved is not null;

    public static SaveResult Failed(string field, string message) =>
        new(null, new Dictionary<string, string> { [field] = message });
}
