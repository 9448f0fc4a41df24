using System.Globalization;
using System.Text;
using Challenge.Core.Challenges;
using Challenge.Core.Tasks;
using YamlDotNet.RepresentationModel;

namespace Challenge.Core.Bundles;

/// <summary>
/// <c>challenge.yaml</c>, schema 1: the challenge's settings, its Markdown pages, tasks, hidden
/// solutions and data files, each file named by its path inside the bundle. Every key is described
/// in docs/bundles.md; this reader and <see cref="BundleExporter"/> are its two sides.
/// </summary>
internal static class ChallengeManifest
{
    public const string FileName = "challenge.yaml";
    public const int SchemaVersion = 1;

    private static readonly string[] RootKeys = ["schema", "slug", "title", "subtitle", "starts_at", "ends_at", "team_merger_deadline", "limits", "pages", "tasks", "data"];
    private static readonly string[] LimitKeys = ["daily_submissions", "final_selections", "team_size", "rejected_submissions_count"];
    private static readonly string[] PageKeys = ["overview", "data", "evaluation", "rules"];
    private static readonly string[] DataKeys = ["file", "description"];
    internal static readonly string[] TaskKeys =
    [
        "slug", "title", "family", "kind", "metric", "id_column", "target_column", "public_share", "seed", "classes", "class_weights", "bootstrap", "ladder", "ladder_margin",
        "max_submission_mb", "ranking_formula", "top_k", "positive_class", "threshold", "beta", "image_size", "class_parents", "depth", "solution",
    ];

    public static BundlePlan? Read(BundleFiles files, List<BundleError> errors)
    {
        var yaml = new BundleYaml(FileName, errors);
        var root = yaml.Load(files.Read(FileName));
        if (root is null)
        {
            return null;
        }
        var plan = new BundlePlan(yaml);
        var entries = yaml.Entries(root, "", RootKeys);
        var schema = yaml.Int(entries, "schema", "schema");
        if (schema is null && !entries.ContainsKey("schema"))
        {
            yaml.Error(1, "schema", $"say which schema the file follows: 'schema: {SchemaVersion}'.");
        }
        else if (schema is { } version && version != SchemaVersion)
        {
            yaml.Error(yaml.LineAt("schema"), "schema", $"this server reads schema {SchemaVersion}, not {version}.");
        }

        var input = plan.Challenge;
        input.Slug = yaml.String(entries, "slug", "slug") ?? "";
        input.Title = yaml.String(entries, "title", "title") ?? "";
        input.Subtitle = yaml.String(entries, "subtitle", "subtitle") ?? "";
        input.StartsAtUtc = yaml.Date(entries, "starts_at", "starts_at");
        input.EndsAtUtc = yaml.Date(entries, "ends_at", "ends_at");
        input.TeamMergerDeadlineUtc = yaml.Date(entries, "team_merger_deadline", "team_merger_deadline");
        Key(plan, nameof(CompetitionInput.Slug), "slug");
        Key(plan, nameof(CompetitionInput.Title), "title");
        Key(plan, nameof(CompetitionInput.Subtitle), "subtitle");
        Key(plan, nameof(CompetitionInput.StartsAtUtc), "starts_at");
        Key(plan, nameof(CompetitionInput.EndsAtUtc), "ends_at");
        Key(plan, nameof(CompetitionInput.TeamMergerDeadlineUtc), "team_merger_deadline");

        if (yaml.Mapping(entries, "limits", "limits") is { } limitsNode)
        {
            var limits = yaml.Entries(limitsNode, "limits", LimitKeys);
            input.DailySubmissionLimit = yaml.Int(limits, "daily_submissions", "limits.daily_submissions") ?? input.DailySubmissionLimit;
            input.MaxFinalSelections = yaml.Int(limits, "final_selections", "limits.final_selections") ?? input.MaxFinalSelections;
            input.MaxTeamSize = yaml.Int(limits, "team_size", "limits.team_size") ?? input.MaxTeamSize;
            input.RejectedSubmissionsCount = yaml.Bool(limits, "rejected_submissions_count", "limits.rejected_submissions_count") ?? input.RejectedSubmissionsCount;
        }
        Key(plan, nameof(CompetitionInput.DailySubmissionLimit), "limits.daily_submissions");
        Key(plan, nameof(CompetitionInput.MaxFinalSelections), "limits.final_selections");
        Key(plan, nameof(CompetitionInput.MaxTeamSize), "limits.team_size");

        if (yaml.Mapping(entries, "pages", "pages") is { } pagesNode)
        {
            var pages = yaml.Entries(pagesNode, "pages", PageKeys);
            input.OverviewMarkdown = Page(files, yaml, pages, "overview") ?? "";
            input.DataMarkdown = Page(files, yaml, pages, "data") ?? "";
            input.EvaluationMarkdown = Page(files, yaml, pages, "evaluation") ?? "";
            input.RulesMarkdown = Page(files, yaml, pages, "rules") ?? "";
        }
        Key(plan, nameof(CompetitionInput.OverviewMarkdown), "pages.overview");
        Key(plan, nameof(CompetitionInput.DataMarkdown), "pages.data");
        Key(plan, nameof(CompetitionInput.EvaluationMarkdown), "pages.evaluation");
        Key(plan, nameof(CompetitionInput.RulesMarkdown), "pages.rules");

        if (yaml.Sequence(entries, "tasks", "tasks") is { } tasks)
        {
            var index = 0;
            foreach (var node in tasks.Children)
            {
                var key = $"tasks[{index++}]";
                if (node is not YamlMappingNode taskNode)
                {
                    yaml.Error(node, key, "each task is a mapping of keys (slug, title, metric, …).");
                    continue;
                }
                yaml.Lines[key] = BundleYaml.LineOf(node.Start);
                plan.Tasks.Add(ReadTask(files, yaml, taskNode, key));
            }
        }
        if (yaml.Sequence(entries, "data", "data") is { } data)
        {
            var index = 0;
            foreach (var node in data.Children)
            {
                var key = $"data[{index++}]";
                yaml.Lines[key] = BundleYaml.LineOf(node.Start);
                if (node is not YamlMappingNode dataNode)
                {
                    yaml.Error(node, key, "each data file is a mapping: 'file: data/train.csv' and an optional 'description'.");
                    continue;
                }
                var fields = yaml.Entries(dataNode, key, DataKeys);
                var path = yaml.String(fields, "file", $"{key}.file");
                var description = yaml.String(fields, "description", $"{key}.description") ?? "";
                if (path is null)
                {
                    yaml.Error(yaml.LineAt(key), $"{key}.file", "name the file, like 'file: data/train.csv'.");
                }
                else if (FileIn(files, yaml, path, $"{key}.file") is { } file)
                {
                    plan.Data.Add(new PlannedData(Path.GetFileName(path), description, $"{key}.file", file));
                }
            }
        }
        return plan;
    }

    private static PlannedTask ReadTask(BundleFiles files, BundleYaml yaml, YamlMappingNode node, string key)
    {
        var fields = yaml.Entries(node, key, TaskKeys);
        string K(string name) => $"{key}.{name}";
        var settings = new TaskSettings
        {
            Slug = yaml.String(fields, "slug", K("slug")),
            Title = yaml.String(fields, "title", K("title")),
            Family = yaml.String(fields, "family", K("family")),
            Kind = yaml.String(fields, "kind", K("kind")),
            Metric = yaml.String(fields, "metric", K("metric")),
            IdColumn = yaml.String(fields, "id_column", K("id_column")),
            TargetColumn = yaml.String(fields, "target_column", K("target_column")),
            PublicShare = yaml.Double(fields, "public_share", K("public_share")),
            Seed = yaml.Int(fields, "seed", K("seed")),
            Classes = yaml.TextList(fields, "classes", K("classes")),
            ClassWeights = yaml.Map<double>(fields, "class_weights", K("class_weights"),
                text => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var weight) ? weight : null, "a number"),
            Bootstrap = yaml.Bool(fields, "bootstrap", K("bootstrap")),
            Ladder = yaml.String(fields, "ladder", K("ladder")),
            LadderMargin = yaml.Double(fields, "ladder_margin", K("ladder_margin")),
            MaxSubmissionMb = yaml.Int(fields, "max_submission_mb", K("max_submission_mb")),
            RankingFormula = yaml.String(fields, "ranking_formula", K("ranking_formula")),
            TopK = yaml.Int(fields, "top_k", K("top_k")),
            PositiveClass = yaml.String(fields, "positive_class", K("positive_class")),
            Threshold = yaml.Double(fields, "threshold", K("threshold")),
            Beta = yaml.Double(fields, "beta", K("beta")),
            ImageSize = yaml.String(fields, "image_size", K("image_size")),
            ClassParents = yaml.TextMap(fields, "class_parents", K("class_parents")),
            Depth = yaml.Int(fields, "depth", K("depth")),
        };
        var solutionPath = yaml.String(fields, "solution", K("solution"));
        var solution = solutionPath is null ? null : FileIn(files, yaml, solutionPath, K("solution"));
        return new PlannedTask(settings, key, K("solution"), solution);
    }

    private static string? Page(BundleFiles files, BundleYaml yaml, Dictionary<string, YamlNode> pages, string name)
    {
        var path = yaml.String(pages, name, $"pages.{name}");
        if (path is null || FileIn(files, yaml, path, $"pages.{name}") is not { } file)
        {
            return null;
        }
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(file.Content).TrimStart('\uFEFF');
        }
        catch (DecoderFallbackException)
        {
            yaml.Error(yaml.LineAt($"pages.{name}"), $"pages.{name}", $"{path} is not UTF-8 text.");
            return null;
        }
    }

    /// <summary>The bundle's file at <paramref name="path"/>, or an error at the key that names it.</summary>
    internal static BundleFile? FileIn(BundleFiles files, BundleYaml yaml, string path, string key)
    {
        if (path.Contains("..", StringComparison.Ordinal) || Path.IsPathRooted(path))
        {
            yaml.Error(yaml.LineAt(key), key, $"'{path}' must be a path inside the bundle, without '..'.");
            return null;
        }
        if (!files.Contains(path))
        {
            yaml.Error(yaml.LineAt(key), key, $"the bundle has no file '{path}'.");
            return null;
        }
        return new BundleFile(path, files.Read(path));
    }

    private static void Key(BundlePlan plan, string field, string key) => plan.ChallengeKeys[field] = key;

    /// <summary>The manifest key of a task field as <see cref="TaskService.Validate"/> names it (PublicFraction is public_share).</summary>
    public static string TaskKey(string inputField) =>
        inputField.Length == 0 ? "" : string.Concat(TaskSettings.FieldName(inputField).Select(c => char.IsUpper(c) ? "_" + char.ToLowerInvariant(c) : c.ToString()));
}
