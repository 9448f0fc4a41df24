using Challenge.Core.Data;
using Challenge.Core.Tasks;
using Challenge.Scoring;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Challenges;

public sealed record ChecklistItem(string Key, string Label, bool Done, string Detail);

/// <summary>
/// What an organizer checks before publishing: a challenge can be published without them (a
/// teaser before the data is ready), but the editor names each missing piece and asks first.
/// </summary>
public sealed class PublishChecklist(IDbContextFactory<ChallengeDbContext> dbFactory, TimeProvider clock)
{
    public async Task<IReadOnlyList<ChecklistItem>> ForAsync(int competitionId, CompetitionInput input, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var tasks = await db.Tasks.AsNoTracking().Where(t => t.CompetitionId == competitionId).OrderBy(t => t.SortOrder).ToListAsync(cancellationToken);
        return Check(tasks, input, clock.GetUtcNow().UtcDateTime);
    }

    public static IReadOnlyList<ChecklistItem> Check(IReadOnlyList<CompetitionTask> tasks, CompetitionInput input, DateTime nowUtc)
    {
        var withoutSolution = tasks.Where(t => t.SolutionFileId is null).Select(t => t.Title).ToList();
        var classification = tasks.Where(t => t.Family == TaskFamily.Predictions && t.Kind is not (TaskKind.Regression or TaskKind.Ranking or TaskKind.Mask)).ToList();
        var undeclared = classification.Where(t => t.ClassesJson is null).Select(t => t.Title).ToList();
        var datesSane = input.StartsAtUtc is { } start && input.EndsAtUtc is { } end && end > start && end > nowUtc
            && (input.TeamMergerDeadlineUtc is not { } merger || (merger > start && merger <= end));
        return
        [
            new("tasks", "At least one task", tasks.Count > 0, tasks.Count > 0 ? $"{tasks.Count} task(s)." : "Add a task on the Manage page."),
            new("solution", "Every task has its hidden solution", tasks.Count > 0 && withoutSolution.Count == 0,
                withoutSolution.Count == 0 ? "Uploaded." : $"Missing for {string.Join(", ", withoutSolution)}."),
            new("classes", "Classification tasks declare their classes", undeclared.Count == 0,
                undeclared.Count == 0 ? (classification.Count == 0 ? "No classification task." : "Declared.")
                : $"Not declared for {string.Join(", ", undeclared)}: their classes come from the solution, so a class absent from the hidden rows would be missing from the sample submission."),
            new("dates", "Dates are sane", datesSane, datesSane ? "The end lies ahead, after the start (and the merger deadline between them)."
                : "Check that the end lies in the future, after the start, and that the merger deadline lies between them."),
            new("rules", "Rules are written", !string.IsNullOrWhiteSpace(input.RulesMarkdown), string.IsNullOrWhiteSpace(input.RulesMarkdown) ? "The Rules page shows only the limits." : "Written."),
        ];
    }
}
