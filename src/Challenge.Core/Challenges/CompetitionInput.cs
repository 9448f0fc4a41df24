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
    public string DataMarkdown { get; set; } = "";
    public string EvaluationMarkdown { get; set; } = "";
    public string RulesMarkdown { get; set; } = "";
    public DateTime? TeamMergerDeadlineUtc { get; set; }
    public int DailySubmissionLimit { get; set; } = 5;
    public int MaxFinalSelections { get; set; } = 2;
    public int MaxTeamSize { get; set; } = 5;
    public bool RejectedSubmissionsCount { get; set; }

    public static CompetitionInput From(Competition competition) => new()
    {
        DataMarkdown = competition.DataMarkdown,
        EvaluationMarkdown = competition.EvaluationMarkdown,
        RulesMarkdown = competition.RulesMarkdown,
        TeamMergerDeadlineUtc = competition.TeamMergerDeadlineUtc,
        DailySubmissionLimit = competition.DailySubmissionLimit,
        MaxFinalSelections = competition.MaxFinalSelections,
        MaxTeamSize = competition.MaxTeamSize,
        RejectedSubmissionsCount = competition.RejectedSubmissionsCount,
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
