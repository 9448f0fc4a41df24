using System.Globalization;
using System.IO.Compression;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Challenge.Core.Access;
using Challenge.Core.Challenges;
using Challenge.Core.Data;
using Challenge.Core.Files;
using Challenge.Core.Outcomes;
using Challenge.Core.Tasks;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Bundles;

/// <summary>
/// Writes a challenge as a bundle (challenge.yaml, pages/, data/, and with the solutions
/// solutions/): importing it gives an equal challenge. Organizers only; the hidden solutions only
/// when asked for.
/// </summary>
public sealed class BundleExporter(IDbContextFactory<ChallengeDbContext> dbFactory, IFileStore store, IAuthorizationService authorization)
{
    /// <summary>Writes the bundle as a zip into <paramref name="destination"/>; the value lists what a bundle does not carry.</summary>
    public async Task<Outcome<IReadOnlyList<string>>> WriteZipAsync(Competition challenge, bool includeSolutions, ClaimsPrincipal user, Stream destination, CancellationToken cancellationToken = default)
    {
        if (!await authorization.AllowsAsync(user, challenge, AccessRules.ManageChallenge))
        {
            return Outcome<IReadOnlyList<string>>.NotFound($"No challenge '{challenge.Slug}' that you manage.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var tasks = await db.Tasks.AsNoTracking().Where(t => t.CompetitionId == challenge.Id).OrderBy(t => t.SortOrder).ThenBy(t => t.Id).ToListAsync(cancellationToken);
        var data = await db.DataFiles.AsNoTracking().Include(f => f.StoredFile).Where(f => f.CompetitionId == challenge.Id).OrderBy(f => f.FileName).ToListAsync(cancellationToken);
        var solutionIds = tasks.Where(t => t.SolutionFileId != null).Select(t => t.SolutionFileId!.Value).ToList();
        var solutions = await db.StoredFiles.AsNoTracking().Where(f => solutionIds.Contains(f.Id)).ToDictionaryAsync(f => f.Id, cancellationToken);
        var notes = new List<string>();

        using var zip = new ZipArchive(destination, ZipArchiveMode.Create, leaveOpen: true);
        var yaml = new StringBuilder();
        yaml.Append(CultureInfo.InvariantCulture, $"# A challenge bundle: every key is described in docs/bundles.md.\nschema: {ChallengeManifest.SchemaVersion}\n");
        Line(yaml, 0, "slug", challenge.Slug);
        Line(yaml, 0, "title", challenge.Title);
        if (challenge.Subtitle.Length > 0)
        {
            Line(yaml, 0, "subtitle", challenge.Subtitle);
        }
        Raw(yaml, 0, "starts_at", Date(challenge.StartsAtUtc));
        Raw(yaml, 0, "ends_at", Date(challenge.EndsAtUtc));
        if (challenge.TeamMergerDeadlineUtc is { } merger)
        {
            Raw(yaml, 0, "team_merger_deadline", Date(merger));
        }
        yaml.Append("limits:\n");
        Raw(yaml, 1, "daily_submissions", Number(challenge.DailySubmissionLimit));
        Raw(yaml, 1, "final_selections", Number(challenge.MaxFinalSelections));
        Raw(yaml, 1, "team_size", Number(challenge.MaxTeamSize));
        Raw(yaml, 1, "rejected_submissions_count", challenge.RejectedSubmissionsCount ? "true" : "false");

        var pages = new[] { ("overview", challenge.OverviewMarkdown), ("data", challenge.DataMarkdown), ("evaluation", challenge.EvaluationMarkdown), ("rules", challenge.RulesMarkdown) }
            .Where(p => p.Item2.Length > 0).ToList();
        if (pages.Count > 0)
        {
            yaml.Append("pages:\n");
            foreach (var (name, markdown) in pages)
            {
                var path = $"pages/{name}.md";
                await WriteAsync(zip, path, new MemoryStream(Encoding.UTF8.GetBytes(markdown)), cancellationToken);
                Line(yaml, 1, name, path);
            }
        }

        if (tasks.Count > 0)
        {
            yaml.Append("tasks:\n");
        }
        foreach (var task in tasks)
        {
            var settings = TaskSettings.From(task);
            yaml.Append("  - ");
            var first = true;
            void Field(string key, string value)
            {
                yaml.Append(first ? "" : "    ").Append(key).Append(": ").Append(value).Append('\n');
                first = false;
            }
            Field("slug", Quote(settings.Slug!));
            Field("title", Quote(settings.Title!));
            Field("family", settings.Family!);
            Field("kind", settings.Kind!);
            Field("metric", Quote(settings.Metric!));
            Field("id_column", Quote(settings.IdColumn!));
            Field("target_column", Quote(settings.TargetColumn!));
            Field("public_share", Number(settings.PublicShare!.Value));
            Field("seed", Number(settings.Seed!.Value));
            if (settings.Classes is { Count: > 0 } classes)
            {
                Field("classes", "[" + string.Join(", ", classes.Select(Quote)) + "]");
            }
            Field("bootstrap", settings.Bootstrap == true ? "true" : "false");
            if (settings.Ladder is { } ladder && settings.Ladder != TaskSettings.Name(LadderRule.Off))
            {
                Field("ladder", ladder);
            }
            if (settings.LadderMargin is { } ladderMargin) Field("ladder_margin", Number(ladderMargin));
            Field("max_submission_mb", Number(settings.MaxSubmissionMb!.Value));
            if (settings.RankingFormula is { } formula)
            {
                Field("ranking_formula", Quote(formula));
            }
            if (settings.ClassWeights is { Count: > 0 } weights)
            {
                Field("class_weights", "{" + string.Join(", ", weights.Select(w => $"{Quote(w.Key)}: {Number(w.Value)}")) + "}");
            }
            if (settings.TopK is { } topK) Field("top_k", Number(topK));
            if (settings.PositiveClass is { } positive) Field("positive_class", Quote(positive));
            if (settings.Threshold is { } threshold) Field("threshold", Number(threshold));
            if (settings.Beta is { } beta) Field("beta", Number(beta));
            if (settings.ImageSize is { } size) Field("image_size", Quote(size));
            if (settings.ClassParents is { Count: > 0 } parents)
            {
                Field("class_parents", "{" + string.Join(", ", parents.Select(p => $"{Quote(p.Key)}: {Quote(p.Value)}")) + "}");
            }
            if (settings.Depth is { } depth) Field("depth", Number(depth));
            if (task.Family != TaskFamily.Predictions && (task.ImagesFileId is not null || task.SolutionFileId is not null))
            {
                notes.Add($"Task '{task.Slug}': its images, gold set and pre-annotations are not part of a bundle; upload them to the imported task.");
            }
            else if (task.SolutionFileId is { } solutionId && includeSolutions)
            {
                var path = $"solutions/{task.Slug}.csv";
                await using (var content = store.OpenRead(solutions[solutionId].StorageKey))
                {
                    await WriteAsync(zip, path, content, cancellationToken);
                }
                Field("solution", Quote(path));
            }
            else if (task.SolutionFileId is not null)
            {
                notes.Add($"Task '{task.Slug}': its hidden solution is left out (export with the solutions to include it).");
            }
        }

        if (data.Count > 0)
        {
            yaml.Append("data:\n");
        }
        foreach (var file in data)
        {
            var path = $"data/{file.FileName}";
            await using (var content = store.OpenRead(file.StoredFile!.StorageKey))
            {
                await WriteAsync(zip, path, content, cancellationToken);
            }
            yaml.Append("  - file: ").Append(Quote(path)).Append('\n');
            if (file.Description.Length > 0)
            {
                yaml.Append("    description: ").Append(Quote(file.Description)).Append('\n');
            }
        }
        // What the bundle leaves out is said where the organizer reads it, at the top of the manifest.
        var header = string.Concat(notes.Select(n => $"# Not in this bundle: {n.ReplaceLineEndings(" ")}\n"));
        await WriteAsync(zip, ChallengeManifest.FileName, new MemoryStream(Encoding.UTF8.GetBytes(header + yaml)), cancellationToken);
        return notes;
    }

    private static async Task WriteAsync(ZipArchive zip, string path, Stream content, CancellationToken cancellationToken)
    {
        await using var entry = zip.CreateEntry(path, CompressionLevel.Optimal).Open();
        await content.CopyToAsync(entry, cancellationToken);
    }

    private static readonly JsonSerializerOptions s_quote = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // A JSON string is a YAML double-quoted scalar: every character survives, whatever it is.
    private static string Quote(string text) => JsonSerializer.Serialize(text, s_quote);

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Date(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    private static void Line(StringBuilder yaml, int depth, string key, string value) => Raw(yaml, depth, key, Quote(value));

    private static void Raw(StringBuilder yaml, int depth, string key, string value) => yaml.Append(' ', depth * 2).Append(key).Append(": ").Append(value).Append('\n');
}
