using Challenge.Core.Access;
using System.Security.Claims;
using System.Text.Json;
using Challenge.Core.Audit;
using Challenge.Core.Challenges;
using Challenge.Core.Data;
using Challenge.Core.Files;
using Challenge.Scoring;
using Challenge.Scoring.Metrics;
using Challenge.Scoring.Validation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Tasks;

public sealed record TaskSaveResult(CompetitionTask? Saved, IReadOnlyDictionary<string, string> Errors)
{
    public bool Succeeded => Saved is not null;
}

public sealed record SolutionUploadResult(bool Accepted, ValidationReport Report, int Rows, int PublicRows, int PrivateRows);

public sealed class TaskService(
    IDbContextFactory<ChallengeDbContext> dbFactory,
    SqliteWriteGate writes,
    IFileStore files,
    SolutionCache solutions,
    TimeProvider clock,
    IAuthorizationService authorization,
    Leaderboards.ILeaderboardNotifier notifier)
{
    public const long MaxSolutionBytes = 2L << 30;

    public async Task<IReadOnlyList<CompetitionTask>> ListAsync(int competitionId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Tasks.AsNoTracking().Where(t => t.CompetitionId == competitionId)
            .OrderBy(t => t.SortOrder).ThenBy(t => t.Id).ToListAsync(cancellationToken);
    }

    public async Task<TaskSaveResult> SaveAsync(int competitionId, int? taskId, TaskInput input, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var competition = await db.Competitions.SingleOrDefaultAsync(c => c.Id == competitionId, cancellationToken);
        if (competition is null || !await authorization.AllowsAsync(user, competition, AccessRules.ManageChallenge))
        {
            return Failed("", "This challenge does not exist or you may not manage it.");
        }

        var errors = Validate(input);
        var slug = input.Slug.Trim().ToLowerInvariant();
        if (!errors.ContainsKey(nameof(input.Slug)) && await db.Tasks.AnyAsync(t => t.CompetitionId == competitionId && t.Slug == slug && t.Id != taskId, cancellationToken))
        {
            errors[nameof(input.Slug)] = $"This challenge already has a task '{slug}'.";
        }
        var annotationMetric = input.Family == TaskFamily.Predictions ? null : Annotations.AnnotationMetrics.Find(input.Metric);
        var metric = input.Family == TaskFamily.Predictions ? MetricCatalog.Find(input.Metric) : null;
        var (weights, _) = TaskDefinitions.ParseWeightsText(input.ClassWeights);
        var (classes, _) = TaskDefinitions.ParseClassesText(input.Classes);
        var (scoringOptions, _) = TaskScoringOptions.FromInput(input, metric?.Name);
        if (errors.Count > 0)
        {
            return new TaskSaveResult(null, errors);
        }

        var task = taskId is null
            ? null
            : await db.Tasks.SingleOrDefaultAsync(t => t.Id == taskId && t.CompetitionId == competitionId, cancellationToken);
        if (taskId is not null && task is null)
        {
            return Failed("", "This task does not exist.");
        }
        if (task is null)
        {
            task = new CompetitionTask
            {
                CompetitionId = competitionId,
                Slug = slug,
                Title = input.Title.Trim(),
                SortOrder = await db.Tasks.CountAsync(t => t.CompetitionId == competitionId, cancellationToken),
            };
            db.Tasks.Add(task);
        }

        if (task.Id != 0 && task.Family != input.Family && (task.SolutionFileId is not null || task.ImagesFileId is not null))
        {
            return Failed(nameof(input.Family), "The task already has its files; create a new task to change what it scores.");
        }
        var classesJson = classes is null ? null : JsonSerializer.Serialize(classes);
        if (task.Id != 0 && task.ClassesJson != classesJson
            && await db.Submissions.AnyAsync(s => s.TaskId == task.Id && !s.IsBaseline, cancellationToken))
        {
            return Failed(nameof(input.Classes), "Teams have already submitted to this task, so its classes are fixed: create a new task to change them.");
        }
        var splitChanged = task.Id != 0 && (task.ClassesJson != classesJson || task.PublicFraction != input.PublicFraction || task.SplitSeed != input.SplitSeed
            || (input.Family != TaskFamily.Predictions && (task.Metric != annotationMetric!.Name || task.RankingFormula != NullIfBlank(input.RankingFormula)))
            || task.Kind != input.Kind || task.IdColumn != input.IdColumn.Trim() || task.TargetColumn != input.TargetColumn.Trim()
            || task.ClassWeightsJson != (weights is null ? null : JsonSerializer.Serialize(weights))
            || TaskScoringOptions.Read(task.ScoringOptionsJson) != scoringOptions);
        task.Slug = slug;
        task.Title = input.Title.Trim();
        task.Kind = input.Kind;
        task.Family = input.Family;
        task.Metric = metric?.Name ?? annotationMetric!.Name;
        task.RankingFormula = input.Family == TaskFamily.Annotation ? NullIfBlank(input.RankingFormula) : null;
        task.IdColumn = input.IdColumn.Trim();
        task.TargetColumn = input.TargetColumn.Trim();
        task.PublicFraction = input.PublicFraction;
        task.SplitSeed = input.SplitSeed;
        task.ClassesJson = classesJson;
        task.ClassWeightsJson = weights is null ? null : JsonSerializer.Serialize(weights);
        task.ScoringOptionsJson = scoringOptions.ToJson();
        task.BootstrapEnabled = input.BootstrapEnabled;
        task.RankResamples = input.RankResamples;
        // Every team's shown public score depends on the rule and margin: the whole board is built again.
        var ladderMargin = input.Ladder == LadderRule.Margin ? input.LadderMargin : null;
        var parameterFree = input.Ladder == LadderRule.ParameterFree;
        var ladderChanged = task.Id != 0 && (task.LadderMargin != ladderMargin || task.LadderParameterFree != parameterFree);
        // Decisions kept from an earlier spell of the parameter-free rule may predate hidden or
        // rescored submissions: switching it on takes every decision again (the sweeper does).
        var forgetLadder = task.Id != 0 && parameterFree && !task.LadderParameterFree;
        task.LadderMargin = ladderMargin;
        task.LadderParameterFree = parameterFree;
        task.MaxSubmissionBytes = input.MaxSubmissionMegabytes * (1L << 20);
        if (splitChanged)
        {
            // The same file now reads differently: scores made with the old reading are outdated,
            // and a solution the new settings cannot read (a class no longer declared) keeps the old ones.
            if (task.SolutionFileId is { } solutionFileId && await RereadSolutionAsync(db, task, solutionFileId, cancellationToken) is { } problem)
            {
                return Failed(task.ClassesJson != null && problem.Contains("class", StringComparison.OrdinalIgnoreCase) ? nameof(input.Classes) : "",
                    $"The uploaded solution does not fit these settings: {problem}");
            }
            task.SolutionVersion++;
        }
        db.Audit(competitionId, user.UserId(), taskId is null ? "task.created" : "task.updated", $"{slug}: {task.Metric}", clock.GetUtcNow().UtcDateTime);
        await using (var transaction = forgetLadder ? await db.Database.BeginTransactionAsync(cancellationToken) : null)
        {
            if (forgetLadder)
            {
                await db.Submissions.Where(s => s.TaskId == task.Id && (s.LadderScore != null || s.LadderMoved))
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.LadderScore, (double?)null).SetProperty(x => x.LadderMoved, false), cancellationToken);
            }
            await db.SaveChangesAsync(cancellationToken);
            if (transaction is not null)
            {
                await transaction.CommitAsync(cancellationToken);
            }
        }
        if (ladderChanged)
        {
            notifier.Publish(new Leaderboards.LeaderboardChange(competitionId, task.Id, null));
        }
        return new TaskSaveResult(task, new Dictionary<string, string>());
    }

    /// <summary>
    /// The checks of a task's settings that need no database: slug form, title, metric for the family
    /// and kind, columns, public share, size limit, class weights, declared classes and the kind's own
    /// options. Keys are <see cref="TaskInput"/> property names. A bundle is checked with this before
    /// anything is stored.
    /// </summary>
    public static Dictionary<string, string> Validate(TaskInput input)
    {
        var errors = new Dictionary<string, string>();
        var slug = input.Slug.Trim().ToLowerInvariant();
        if (!CompetitionRules.SlugPattern().IsMatch(slug) || slug.Length > CompetitionRules.SlugMaxLength)
        {
            errors[nameof(input.Slug)] = "Use lowercase letters, digits and single hyphens, like 'floor-type'.";
        }
        if (string.IsNullOrWhiteSpace(input.Title))
        {
            errors[nameof(input.Title)] = "Enter a title.";
        }
        var annotationMetric = input.Family == TaskFamily.Predictions ? null : Annotations.AnnotationMetrics.Find(input.Metric);
        var metric = input.Family == TaskFamily.Predictions ? MetricCatalog.Find(input.Metric) : null;
        if (input.Family != TaskFamily.Predictions)
        {
            if (annotationMetric is null || annotationMetric.Family != input.Family)
            {
                errors[nameof(input.Metric)] = $"An {input.Family.ToString().ToLowerInvariant()} task is scored by {string.Join(", ", Annotations.AnnotationMetrics.ForFamily(input.Family).Select(m => m.Name))}, not '{input.Metric}'.";
            }
            if (input.RankingFormula.Trim().Length > 0)
            {
                if (input.Family != TaskFamily.Annotation)
                {
                    errors[nameof(input.RankingFormula)] = "A ranking formula applies to annotation tasks only.";
                }
                else if (!Challenge.Annotations.Ranking.RankingFormula.TryParse(input.RankingFormula.Trim(), out _, out var formulaError))
                {
                    errors[nameof(input.RankingFormula)] = $"The formula does not read at {formulaError}.";
                }
            }
        }
        else if (metric is null)
        {
            errors[nameof(input.Metric)] = $"Unknown metric '{input.Metric}'.";
        }
        else if (!metric.TaskKinds.Contains(input.Kind))
        {
            errors[nameof(input.Metric)] = $"{metric.DisplayName} does not score {input.Kind} predictions.";
        }
        if (input.Family == TaskFamily.Predictions && string.IsNullOrWhiteSpace(input.IdColumn))
        {
            errors[nameof(input.IdColumn)] = "Name the Id column.";
        }
        if (input.Family == TaskFamily.Predictions && input.Kind != TaskKind.Probability && string.IsNullOrWhiteSpace(input.TargetColumn))
        {
            errors[nameof(input.TargetColumn)] = "Name the prediction column.";
        }
        if (input.PublicFraction is <= 0 or >= 1 || !double.IsFinite(input.PublicFraction))
        {
            errors[nameof(input.PublicFraction)] = "The public share must lie strictly between 0 and 1.";
        }
        if (input.MaxSubmissionMegabytes is < 1 or > 4096)
        {
            errors[nameof(input.MaxSubmissionMegabytes)] = "Choose a limit between 1 and 4096 MB.";
        }
        var (weights, weightError) = TaskDefinitions.ParseWeightsText(input.ClassWeights);
        if (weightError is not null)
        {
            errors[nameof(input.ClassWeights)] = weightError;
        }
        else if (input.Family == TaskFamily.Predictions && metric?.Name == "weighted_accuracy" && weights is null)
        {
            errors[nameof(input.ClassWeights)] = "Weighted accuracy needs a weight per class, like 'sandy=1, reef=2'.";
        }
        if (input.Ladder == LadderRule.Margin && !(input.LadderMargin is { } margin && margin > 0 && double.IsFinite(margin)))
        {
            errors[nameof(input.LadderMargin)] = "The Ladder's margin must be a positive number in the metric's units (e.g. 0.01); choose no Ladder to show every score.";
        }
        if (input.Ladder == LadderRule.ParameterFree && (input.Family != TaskFamily.Predictions || metric is null || !Challenge.Scoring.Significance.Ladder.SupportsParameterFree(metric.Name)))
        {
            errors[nameof(input.Ladder)] = $"The parameter-free Ladder needs a metric that is a mean over rows (accuracy, log loss, MAE, RMSE...); {(metric is null ? "this task's metric" : metric.DisplayName)} is not: set a fixed margin instead.";
        }
        if (input.RankResamples is < 100 or > 20_000)
        {
            errors[nameof(input.RankResamples)] = "Choose between 100 and 20,000 resamples for the rank intervals.";
        }
        var (classes, classesError) = TaskDefinitions.ParseClassesText(input.Classes);
        if (classesError is not null)
        {
            errors[nameof(input.Classes)] = classesError;
        }
        else if (classes is not null && (input.Family != TaskFamily.Predictions || input.Kind is TaskKind.Regression or TaskKind.Ranking or TaskKind.Mask))
        {
            errors[nameof(input.Classes)] = "Only classification tasks declare classes: leave the list empty.";
        }
        var (scoringOptions, optionErrors) = TaskScoringOptions.FromInput(input, metric?.Name);
        foreach (var (field, message) in optionErrors)
        {
            errors[field] = message;
        }
        return errors;
    }

    // The solution is validated completely before anything is stored; a rejected file changes nothing.
    public async Task<SolutionUploadResult> UploadSolutionAsync(int taskId, Stream content, string fileName, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var task = await db.Tasks.SingleOrDefaultAsync(t => t.Id == taskId, cancellationToken);
        var competition = task is null ? null : await db.Competitions.SingleAsync(c => c.Id == task.CompetitionId, cancellationToken);
        if (task is null || !await authorization.AllowsAsync(user, competition!, AccessRules.ManageChallenge))
        {
            return Refused("This task does not exist or you may not manage it.");
        }
        if (task.Family != TaskFamily.Predictions)
        {
            return Refused("This task is scored against gold annotations: upload them as the task's gold set, not a CSV solution.");
        }

        StoredContent stored;
        try
        {
            stored = await files.SaveAsync(content, "solutions", MaxSolutionBytes, cancellationToken);
        }
        catch (FileTooLargeException tooLarge)
        {
            return Refused(tooLarge.Message);
        }

        ValidationOutcome<Solution> outcome;
        await using (var reader = files.OpenRead(stored.StorageKey))
        {
            outcome = Solution.Load(reader, task.ToDefinition() with { MaxFileBytes = MaxSolutionBytes });
        }
        if (outcome.Value is not { } solution)
        {
            await files.DeleteAsync(stored.StorageKey);
            return new SolutionUploadResult(false, outcome.Report, 0, 0, 0);
        }

        // The version is read and raised in one serialised unit: two uploads at once must not both
        // become the same version, or scores made against the first file would pass for current.
        var now = clock.GetUtcNow().UtcDateTime;
        var saved = await dbFactory.RunSerializableAsync<CompetitionTask?>(writes, async (db, cancellationToken) =>
        {
            var current = await db.Tasks.SingleAsync(t => t.Id == taskId, cancellationToken);
            var file = new StoredFile { StorageKey = stored.StorageKey, OriginalName = Path.GetFileName(fileName), Length = stored.Length, Sha256 = stored.Sha256, CreatedAtUtc = now };
            db.StoredFiles.Add(file);
            await db.SaveChangesAsync(cancellationToken);
            current.SolutionFileId = file.Id;
            current.SolutionVersion++;
            current.SolutionRows = solution.RowCount;
            current.SolutionUploadedAtUtc = now;
            db.Audit(current.CompetitionId, user.UserId(), "solution.uploaded",
                $"{current.Slug}: {solution.RowCount} rows ({solution.PublicRowCount} public, {solution.PrivateRowCount} private), sha256 {stored.Sha256[..12]}", now);
            await db.SaveChangesAsync(cancellationToken);
            await db.Database.CommitTransactionAsync(cancellationToken);
            return current;
        }, () => null, cancellationToken);
        if (saved is null)
        {
            await files.DeleteAsync(stored.StorageKey);
            return Refused("Another solution for this task was being saved at the same moment; upload this one again.");
        }
        solutions.Put(saved, solution);
        return new SolutionUploadResult(true, outcome.Report, solution.RowCount, solution.PublicRowCount, solution.PrivateRowCount);
    }

    private async Task<string?> RereadSolutionAsync(ChallengeDbContext db, CompetitionTask task, long solutionFileId, CancellationToken cancellationToken)
    {
        var file = await db.StoredFiles.AsNoTracking().SingleAsync(f => f.Id == solutionFileId, cancellationToken);
        await using var stream = files.OpenRead(file.StorageKey);
        var outcome = Solution.Load(stream, task.ToDefinition() with { MaxFileBytes = MaxSolutionBytes });
        return outcome.Value is null ? outcome.Report.Errors.FirstOrDefault()?.Describe() ?? "it no longer validates." : null;
    }

    private static string? NullIfBlank(string text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static SolutionUploadResult Refused(string message) =>
        new(false, new ValidationReport([new ValidationError(null, null, message, MessageAudience.Organizers)], 1), 0, 0, 0);

    private static TaskSaveResult Failed(string field, string message) =>
        new(null, new Dictionary<string, string> { [field] = message });
}
