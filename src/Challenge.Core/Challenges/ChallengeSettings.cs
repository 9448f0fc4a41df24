namespace Challenge.Core.Challenges;

/// <summary>
/// A challenge's settings for the organizer API: every field optional, and only those given change
/// the challenge (a new one starts from the form's defaults). Dates are UTC.
/// </summary>
public sealed record ChallengeSettings
{
    public string? Slug { get; init; }
    public string? Title { get; init; }
    public string? Subtitle { get; init; }
    public DateTime? StartsAt { get; init; }
    public DateTime? EndsAt { get; init; }
    public DateTime? TeamMergerDeadline { get; init; }
    public int? DailySubmissionLimit { get; init; }
    public int? MaxFinalSelections { get; init; }
    public int? MaxTeamSize { get; init; }
    public bool? RejectedSubmissionsCount { get; init; }
    public bool? Published { get; init; }
    public ChallengePages? Pages { get; init; }

    public static ChallengeSettings From(Competition challenge) => new()
    {
        Slug = challenge.Slug,
        Title = challenge.Title,
        Subtitle = challenge.Subtitle,
        StartsAt = challenge.StartsAtUtc,
        EndsAt = challenge.EndsAtUtc,
        TeamMergerDeadline = challenge.TeamMergerDeadlineUtc,
        DailySubmissionLimit = challenge.DailySubmissionLimit,
        MaxFinalSelections = challenge.MaxFinalSelections,
        MaxTeamSize = challenge.MaxTeamSize,
        RejectedSubmissionsCount = challenge.RejectedSubmissionsCount,
        Published = challenge.IsPublished,
        Pages = new ChallengePages(challenge.OverviewMarkdown, challenge.DataMarkdown, challenge.EvaluationMarkdown, challenge.RulesMarkdown),
    };

    public void ApplyTo(CompetitionInput input)
    {
        input.Slug = Slug ?? input.Slug;
        input.Title = Title ?? input.Title;
        input.Subtitle = Subtitle ?? input.Subtitle;
        input.StartsAtUtc = StartsAt is { } start ? Utc(start) : input.StartsAtUtc;
        input.EndsAtUtc = EndsAt is { } end ? Utc(end) : input.EndsAtUtc;
        input.TeamMergerDeadlineUtc = TeamMergerDeadline is { } merger ? Utc(merger) : input.TeamMergerDeadlineUtc;
        input.DailySubmissionLimit = DailySubmissionLimit ?? input.DailySubmissionLimit;
        input.MaxFinalSelections = MaxFinalSelections ?? input.MaxFinalSelections;
        input.MaxTeamSize = MaxTeamSize ?? input.MaxTeamSize;
        input.RejectedSubmissionsCount = RejectedSubmissionsCount ?? input.RejectedSubmissionsCount;
        input.Published = Published ?? input.Published;
        input.OverviewMarkdown = Pages?.Overview ?? input.OverviewMarkdown;
        input.DataMarkdown = Pages?.Data ?? input.DataMarkdown;
        input.EvaluationMarkdown = Pages?.Evaluation ?? input.EvaluationMarkdown;
        input.RulesMarkdown = Pages?.Rules ?? input.RulesMarkdown;
    }

    // A time sent without an offset is read as UTC, as the rest of the API writes it, never as the server's local time.
    private static DateTime Utc(DateTime time) => time.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(time, DateTimeKind.Utc) : time.ToUniversalTime();

    /// <summary>The name of a <see cref="CompetitionInput"/> field in these settings, for errors that name it.</summary>
    public static string FieldName(string inputField) => inputField switch
    {
        nameof(CompetitionInput.StartsAtUtc) => "startsAt",
        nameof(CompetitionInput.EndsAtUtc) => "endsAt",
        nameof(CompetitionInput.TeamMergerDeadlineUtc) => "teamMergerDeadline",
        nameof(CompetitionInput.OverviewMarkdown) => "pages.overview",
        nameof(CompetitionInput.DataMarkdown) => "pages.data",
        nameof(CompetitionInput.EvaluationMarkdown) => "pages.evaluation",
        nameof(CompetitionInput.RulesMarkdown) => "pages.rules",
        "" => "",
        _ => char.ToLowerInvariant(inputField[0]) + inputField[1..],
    };
}

/// <summary>The challenge's Markdown pages; a null page is left as it is.</summary>
public sealed record ChallengePages(string? Overview, string? Data, string? Evaluation, string? Rules);
