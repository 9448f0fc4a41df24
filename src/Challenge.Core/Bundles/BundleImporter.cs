using System.Security.Claims;
using System.Text.Json;
using Challenge.Core.Challenges;
using Challenge.Core.Data;
using Challenge.Core.Files;
using Challenge.Core.Outcomes;
using Challenge.Core.Tasks;
using Challenge.Scoring;
using Challenge.Scoring.Metrics;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Bundles;

/// <summary>Choices made at import time rather than in the bundle.</summary>
/// <param name="Slug">Creates the challenge under this slug instead of the bundle's (a second copy of it).</param>
/// <param name="Metric">For a Codabench bundle: the built-in metric that replaces its scoring program.</param>
/// <param name="Kind">For a Codabench bundle: what the predictions are (default: the metric's first kind).</param>
public sealed record BundleImportOptions(string? Slug = null, string? Metric = null, string? Kind = null);

/// <summary>The challenge created (a draft), or every error found and nothing created; and what was not carried over.</summary>
public sealed record BundleImportResult(Competition? Challenge, IReadOnlyList<BundleError> Errors, IReadOnlyList<string> Notes, string Format)
{
    public bool Succeeded => Challenge is not null;
}

/// <summary>
/// Creates a challenge from a bundle. The whole bundle is checked first (the manifest's keys, every
/// file it names, the challenge's and each task's settings by the same rules as the forms, every
/// solution row), and nothing is stored when anything is wrong; only then are the challenge, its
/// tasks, solutions and data files created, through the same services as the organizer pages.
/// </summary>
public sealed class BundleImporter(IDbContextFactory<ChallengeDbContext> dbFactory, CompetitionService challenges, TaskService tasks, DataFileService dataFiles, IFileStore store, PublishChecklist checklist)
{
    public async Task<Outcome<BundleImportResult>> ImportAsync(BundleFiles bundle, BundleImportOptions options, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        if (!CompetitionService.CanCreate(user))
        {
            return Outcome<BundleImportResult>.Forbidden("Only organizers can create challenges; an admin grants the role.");
        }
        var errors = new List<BundleError>();
        BundlePlan? plan;
        string format;
        if (bundle.Contains(ChallengeManifest.FileName))
        {
            format = "challenge.yaml";
            plan = ChallengeManifest.Read(bundle, errors);
        }
        else if (CodabenchManifest.FindFile(bundle) is { } codabench)
        {
            format = "codabench";
            plan = CodabenchManifest.Read(bundle, codabench, options, errors);
        }
        else
        {
            return Outcome<BundleImportResult>.Ok(new BundleImportResult(null,
                [new BundleError(ChallengeManifest.FileName, null, null, "the bundle has no challenge.yaml (nor a Codabench competition.yaml) at its top.")], [], "unknown"));
        }
        if (plan is null)
        {
            return Outcome<BundleImportResult>.Ok(new BundleImportResult(null, errors, [], format));
        }

        if (!string.IsNullOrWhiteSpace(options.Slug))
        {
            plan.Challenge.Slug = options.Slug;
        }
        // A bundle always arrives as a draft: the organizer looks at it before anyone else does.
        plan.Challenge.Published = false;
        var inputs = await CheckAsync(plan, errors, cancellationToken);
        if (errors.Count > 0)
        {
            return Outcome<BundleImportResult>.Ok(new BundleImportResult(null, errors, plan.Notes, format));
        }
        var created = await CreateAsync(plan, inputs, user, errors, cancellationToken);
        if (created is not null)
        {
            // What the editor would ask about before publishing, said now.
            foreach (var item in await checklist.ForAsync(created.Id, plan.Challenge, cancellationToken))
            {
                if (!item.Done)
                {
                    plan.Notes.Add($"Before publishing: {item.Label.ToLowerInvariant()}. {item.Detail}");
                }
            }
        }
        return Outcome<BundleImportResult>.Ok(new BundleImportResult(created, errors, plan.Notes, format));
    }

    private async Task<List<TaskInput>> CheckAsync(BundlePlan plan, List<BundleError> errors, CancellationToken cancellationToken)
    {
        var yaml = plan.Manifest;
        foreach (var (field, message) in CompetitionService.Validate(plan.Challenge))
        {
            var key = plan.ChallengeKeys.GetValueOrDefault(field, field);
            yaml.Error(yaml.LineAt(key), key, message);
        }
        var slug = plan.Challenge.Slug.Trim().ToLowerInvariant();
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            if (slug.Length > 0 && await db.Competitions.AnyAsync(c => c.Slug == slug, cancellationToken))
            {
                yaml.Error(yaml.LineAt("slug"), "slug", $"the slug '{slug}' is already used by another challenge; import under another one (--slug).");
            }
        }

        var inputs = new List<TaskInput>();
        var slugs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var task in plan.Tasks)
        {
            var input = new TaskInput();
            var taskErrors = task.Settings.ApplyTo(input);
            if (taskErrors.Count == 0)
            {
                taskErrors = TaskService.Validate(input);
            }
            foreach (var (field, message) in taskErrors)
            {
                var key = field.Length == 0 ? task.Key : $"{task.Key}.{ChallengeManifest.TaskKey(field)}";
                yaml.Error(yaml.LineAt(key, yaml.LineAt(task.Key)), key, message);
            }
            if (!slugs.Add(input.Slug.Trim().ToLowerInvariant()))
            {
                yaml.Error(yaml.LineAt($"{task.Key}.slug", yaml.LineAt(task.Key)), $"{task.Key}.slug", $"two tasks are called '{input.Slug}'.");
            }
            inputs.Add(input);
            if (task.Solution is not { } solution)
            {
                continue;
            }
            if (input.Family != TaskFamily.Predictions)
            {
                yaml.Error(yaml.LineAt(task.SolutionKey!), task.SolutionKey, "a CSV solution belongs to a predictions task; the gold set and images of an annotation or detection task are uploaded on its page or through the API.");
            }
            else if (taskErrors.Count == 0)
            {
                var outcome = Solution.Load(new MemoryStream(solution.Content, writable: false), Definition(input) with { MaxFileBytes = TaskService.MaxSolutionBytes });
                if (outcome.Value is null)
                {
                    foreach (var error in outcome.Report.Errors)
                    {
                        errors.Add(new BundleError(solution.Path, error.Line, task.SolutionKey, error.Column is { } column ? $"column {column}: {error.Message}" : error.Message));
                    }
                    if (outcome.Report.ErrorCount > outcome.Report.Errors.Count)
                    {
                        errors.Add(new BundleError(solution.Path, null, task.SolutionKey, $"… and {outcome.Report.ErrorCount - outcome.Report.Errors.Count} more errors."));
                    }
                }
            }
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var data in plan.Data)
        {
            var line = yaml.LineAt(data.Key);
            if (data.Name.Length is 0 or > 200 || data.Name.StartsWith('.') || FileNames.HasInvisible(data.Name))
            {
                yaml.Error(line, data.Key, $"'{data.Name}' cannot be a data file's name: 1 to 200 visible characters, not starting with a dot.");
            }
            else if (!names.Add(data.Name))
            {
                yaml.Error(line, data.Key, $"two data files are called '{data.Name}'; participants download them by name.");
            }
        }
        return inputs;
    }

    private async Task<Competition?> CreateAsync(BundlePlan plan, List<TaskInput> inputs, ClaimsPrincipal user, List<BundleError> errors, CancellationToken cancellationToken)
    {
        var yaml = plan.Manifest;
        var created = await challenges.CreateAsync(plan.Challenge, user, cancellationToken);
        if (created.Saved is not { } challenge)
        {
            // Checked above; only a race for the slug gets here.
            foreach (var (field, message) in created.Errors)
            {
                var key = plan.ChallengeKeys.GetValueOrDefault(field, field);
                yaml.Error(yaml.LineAt(key), key, message);
            }
            return null;
        }
        try
        {
            for (var i = 0; i < plan.Tasks.Count; i++)
            {
                var planned = plan.Tasks[i];
                var saved = await tasks.SaveAsync(challenge.Id, null, inputs[i], user, cancellationToken);
                if (saved.Saved is not { } task)
                {
                    throw new BundleStepFailedException(new BundleError(yaml.File, yaml.LineAt(planned.Key), planned.Key, string.Join(" ", saved.Errors.Values)));
                }
                if (planned.Solution is { } solution)
                {
                    var upload = await tasks.UploadSolutionAsync(task.Id, new MemoryStream(solution.Content, writable: false), Path.GetFileName(solution.Path), user, cancellationToken);
                    if (!upload.Accepted)
                    {
                        throw new BundleStepFailedException(new BundleError(solution.Path, upload.Report.Errors.FirstOrDefault()?.Line, planned.SolutionKey, string.Join(" ", upload.Report.Errors.Select(e => e.Message))));
                    }
                }
            }
            foreach (var data in plan.Data)
            {
                var (_, refusal) = await dataFiles.UploadAsync(challenge.Id, new MemoryStream(data.File.Content, writable: false), data.Name, data.Description, user, cancellationToken);
                if (refusal is not null)
                {
                    throw new BundleStepFailedException(new BundleError(yaml.File, yaml.LineAt(data.Key), data.Key, refusal));
                }
            }
            return challenge;
        }
        catch (Exception exception) when (exception is BundleStepFailedException or OperationCanceledException)
        {
            await DiscardAsync(challenge.Id);
            if (exception is BundleStepFailedException failed)
            {
                errors.Add(failed.Error);
                return null;
            }
            throw;
        }
    }

    /// <summary>Removes a challenge that was being created from a bundle when a later step failed, so that nothing of it stays.</summary>
    private async Task DiscardAsync(int competitionId)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var fileIds = await db.Tasks.Where(t => t.CompetitionId == competitionId && t.SolutionFileId != null).Select(t => t.SolutionFileId!.Value)
            .Concat(db.DataFiles.Where(f => f.CompetitionId == competitionId).Select(f => f.StoredFileId)).ToListAsync();
        var keys = await db.StoredFiles.Where(f => fileIds.Contains(f.Id)).Select(f => f.StorageKey).ToListAsync();
        await db.AuditLog.Where(a => a.CompetitionId == competitionId).ExecuteDeleteAsync();
        await db.DataFiles.Where(f => f.CompetitionId == competitionId).ExecuteDeleteAsync();
        await db.Tasks.Where(t => t.CompetitionId == competitionId).ExecuteDeleteAsync();
        await db.Competitions.Where(c => c.Id == competitionId).ExecuteDeleteAsync();
        await db.StoredFiles.Where(f => fileIds.Contains(f.Id)).ExecuteDeleteAsync();
        foreach (var key in keys)
        {
            await store.DeleteAsync(key);
        }
    }

    /// <summary>How the task will read its solution, built as <see cref="TaskService.SaveAsync"/> stores it.</summary>
    internal static TaskDefinition Definition(TaskInput input)
    {
        var metric = MetricCatalog.Find(input.Metric)!;
        var (weights, _) = TaskDefinitions.ParseWeightsText(input.ClassWeights);
        var (options, _) = TaskScoringOptions.FromInput(input, metric.Name);
        var (classes, _) = TaskDefinitions.ParseClassesText(input.Classes);
        return new CompetitionTask
        {
            Slug = input.Slug,
            Title = input.Title,
            Kind = input.Kind,
            Metric = metric.Name,
            IdColumn = input.IdColumn.Trim(),
            TargetColumn = input.TargetColumn.Trim(),
            PublicFraction = input.PublicFraction,
            SplitSeed = input.SplitSeed,
            ClassesJson = classes is null ? null : JsonSerializer.Serialize(classes),
            ClassWeightsJson = weights is null ? null : JsonSerializer.Serialize(weights),
            ScoringOptionsJson = options.ToJson(),
            MaxSubmissionBytes = input.MaxSubmissionMegabytes * (1L << 20),
        }.ToDefinition();
    }

    private sealed class BundleStepFailedException(BundleError error) : Exception(error.Message)
    {
        public BundleError Error { get; } = error;
    }
}
