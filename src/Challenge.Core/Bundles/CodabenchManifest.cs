using System.Globalization;
using System.Text;
using Challenge.Annotations.Safety;
using Challenge.Core.Challenges;
using Challenge.Core.Tasks;
using Challenge.Scoring.Metrics;
using YamlDotNet.RepresentationModel;

namespace Challenge.Core.Bundles;

/// <summary>
/// A Codabench bundle (competition.yaml, version 2) read as far as this server can run it: the
/// title, description and pages, the phases as one submission window, and each task's reference
/// data as its hidden solution where that is one CSV file. A scoring program cannot run here, so
/// the organizer names a built-in metric; everything else is listed in the notes as not carried over.
/// </summary>
internal static class CodabenchManifest
{
    private static readonly string[] FileNames = ["competition.yaml", "competition.yml"];

    public static string? FindFile(BundleFiles files) => FileNames.FirstOrDefault(files.Contains);

    public static BundlePlan? Read(BundleFiles files, string fileName, BundleImportOptions options, List<BundleError> errors)
    {
        var yaml = new BundleYaml(fileName, errors);
        var root = yaml.Load(files.Read(fileName));
        if (root is null)
        {
            return null;
        }
        var plan = new BundlePlan(yaml);
        var entries = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in root.Children)
        {
            var name = (keyNode as YamlScalarNode)?.Value ?? "";
            yaml.Lines[name] = BundleYaml.LineOf(keyNode.Start);
            entries[name] = value;
        }
        var version = yaml.String(entries, "version", "version");
        if (version is not null && version.Trim() != "2")
        {
            yaml.Error(yaml.LineAt("version"), "version", $"this reads Codabench's competition.yaml version 2, not {version}.");
        }

        var input = plan.Challenge;
        input.Title = yaml.String(entries, "title", "title") ?? "";
        var description = yaml.String(entries, "description", "description") ?? "";
        var firstLine = description.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
        input.Subtitle = firstLine.Length > CompetitionRules.SubtitleMaxLength ? firstLine[..(CompetitionRules.SubtitleMaxLength - 1)] + "…" : firstLine;
        input.Slug = CompetitionRules.SuggestSlug(input.Title);
        plan.ChallengeKeys[nameof(CompetitionInput.Title)] = "title";
        plan.ChallengeKeys[nameof(CompetitionInput.Slug)] = "title";
        plan.ChallengeKeys[nameof(CompetitionInput.Subtitle)] = "description";

        ReadPages(files, yaml, entries, plan, description);
        var taskIndexes = ReadPhases(yaml, entries, plan);
        ReadTasks(files, yaml, entries, plan, options, taskIndexes);

        foreach (var (key, what) in new[]
        {
            ("docker_image", "the Docker image"), ("image", "the logo"), ("registration_auto_approve", "registration approval"),
            ("leaderboards", "the leaderboard columns (the board ranks by the chosen metric)"), ("solutions", "the example solutions"),
            ("fact_sheet", "the fact sheet"), ("queue", "the compute queue"), ("enable_detailed_results", "detailed results"),
            ("make_programs_available", "program downloads"), ("make_input_data_available", "input data downloads"),
        })
        {
            if (entries.ContainsKey(key))
            {
                plan.Notes.Add($"Not carried over: {what} ('{key}', line {yaml.LineAt(key)}).");
            }
        }
        var known = new HashSet<string>(["version", "title", "description", "pages", "terms", "phases", "tasks", "docker_image", "image", "registration_auto_approve",
            "leaderboards", "solutions", "fact_sheet", "queue", "enable_detailed_results", "make_programs_available", "make_input_data_available"]);
        foreach (var key in entries.Keys.Where(k => !known.Contains(k)))
        {
            plan.Notes.Add($"Not carried over: '{key}' (line {yaml.LineAt(key)}), which this server does not read.");
        }
        return plan;
    }

    private static void ReadPages(BundleFiles files, BundleYaml yaml, Dictionary<string, YamlNode> entries, BundlePlan plan, string description)
    {
        var input = plan.Challenge;
        var extra = new StringBuilder();
        if (yaml.Sequence(entries, "pages", "pages") is { } pages)
        {
            var index = 0;
            foreach (var node in pages.Children)
            {
                var key = $"pages[{index++}]";
                yaml.Lines[key] = BundleYaml.LineOf(node.Start);
                if (node is not YamlMappingNode page)
                {
                    yaml.Error(node, key, "each page is a mapping with 'title' and 'file'.");
                    continue;
                }
                var fields = Fields(yaml, page, key);
                var title = yaml.String(fields, "title", $"{key}.title") ?? $"Page {index}";
                var path = yaml.String(fields, "file", $"{key}.file");
                if (path is null)
                {
                    yaml.Error(yaml.LineAt(key), $"{key}.file", "name the page's Markdown file.");
                    continue;
                }
                if (Text(files, yaml, path, $"{key}.file") is not { } markdown)
                {
                    continue;
                }
                var lower = title.ToLowerInvariant();
                if (lower.Contains("overview", StringComparison.Ordinal) && input.OverviewMarkdown.Length == 0)
                {
                    input.OverviewMarkdown = markdown;
                    plan.ChallengeKeys[nameof(CompetitionInput.OverviewMarkdown)] = $"{key}.file";
                }
                else if (lower.Contains("data", StringComparison.Ordinal) && input.DataMarkdown.Length == 0)
                {
                    input.DataMarkdown = markdown;
                    plan.ChallengeKeys[nameof(CompetitionInput.DataMarkdown)] = $"{key}.file";
                }
                else if ((lower.Contains("evaluat", StringComparison.Ordinal) || lower.Contains("metric", StringComparison.Ordinal)) && input.EvaluationMarkdown.Length == 0)
                {
                    input.EvaluationMarkdown = markdown;
                    plan.ChallengeKeys[nameof(CompetitionInput.EvaluationMarkdown)] = $"{key}.file";
                }
                else if ((lower.Contains("terms", StringComparison.Ordinal) || lower.Contains("rules", StringComparison.Ordinal)) && input.RulesMarkdown.Length == 0)
                {
                    input.RulesMarkdown = markdown;
                    plan.ChallengeKeys[nameof(CompetitionInput.RulesMarkdown)] = $"{key}.file";
                }
                else
                {
                    // This server has four pages; the others follow the overview under their own heading.
                    extra.Append("\n\n## ").Append(title).Append("\n\n").Append(markdown);
                    plan.Notes.Add($"The page '{title}' ({path}) is added to the overview: this server has four pages (overview, data, evaluation, rules).");
                }
            }
        }
        if (input.RulesMarkdown.Length == 0 && yaml.String(entries, "terms", "terms") is { } terms && Text(files, yaml, terms, "terms") is { } rules)
        {
            input.RulesMarkdown = rules;
            plan.ChallengeKeys[nameof(CompetitionInput.RulesMarkdown)] = "terms";
        }
        if (input.OverviewMarkdown.Length == 0)
        {
            input.OverviewMarkdown = description;
        }
        input.OverviewMarkdown += extra.ToString();
    }

    /// <summary>The phases become one window, from the first start to the last end; returns the task indexes they name.</summary>
    private static HashSet<int> ReadPhases(BundleYaml yaml, Dictionary<string, YamlNode> entries, BundlePlan plan)
    {
        var input = plan.Challenge;
        var indexes = new HashSet<int>();
        var phases = yaml.Sequence(entries, "phases", "phases");
        if (phases is null || phases.Children.Count == 0)
        {
            yaml.Error(yaml.LineAt("phases", 1), "phases", "a Codabench bundle needs at least one phase, with its start.");
            return indexes;
        }
        var names = new List<string>();
        DateTime? lastEnd = null;
        var index = 0;
        foreach (var node in phases.Children)
        {
            var key = $"phases[{index++}]";
            yaml.Lines[key] = BundleYaml.LineOf(node.Start);
            if (node is not YamlMappingNode phase)
            {
                yaml.Error(node, key, "each phase is a mapping (name, start, end, tasks, …).");
                continue;
            }
            var fields = Fields(yaml, phase, key);
            names.Add(yaml.String(fields, "name", $"{key}.name") ?? key);
            var start = Date(yaml, fields, "start", $"{key}.start");
            var end = Date(yaml, fields, "end", $"{key}.end");
            if (start is { } s && (input.StartsAtUtc is null || s < input.StartsAtUtc))
            {
                input.StartsAtUtc = s;
                plan.ChallengeKeys[nameof(CompetitionInput.StartsAtUtc)] = $"{key}.start";
            }
            if (index == phases.Children.Count)
            {
                lastEnd = end;
                plan.ChallengeKeys[nameof(CompetitionInput.EndsAtUtc)] = fields.ContainsKey("end") ? $"{key}.end" : key;
            }
            if (yaml.Int(fields, "max_submissions_per_day", $"{key}.max_submissions_per_day") is { } daily)
            {
                input.DailySubmissionLimit = daily;
                plan.ChallengeKeys[nameof(CompetitionInput.DailySubmissionLimit)] = $"{key}.max_submissions_per_day";
            }
            if (yaml.Sequence(fields, "tasks", $"{key}.tasks") is { } tasks)
            {
                foreach (var task in tasks.Children.OfType<YamlScalarNode>())
                {
                    if (int.TryParse(task.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var taskIndex))
                    {
                        indexes.Add(taskIndex);
                    }
                }
            }
            foreach (var (field, what) in new[] { ("max_submissions", "the total submission limit"), ("execution_time_limit", "the execution time limit"),
                ("starting_kit", "the starting kit"), ("public_data", "the public data"), ("auto_migrate_to_this_phase", "migration between phases"), ("hide_output", "hidden output") })
            {
                if (fields.ContainsKey(field))
                {
                    plan.Notes.Add($"Not carried over: {what} of phase '{names[^1]}' ('{field}', line {yaml.LineAt($"{key}.{field}")}).");
                }
            }
        }
        if (lastEnd is null && input.StartsAtUtc is { } first)
        {
            lastEnd = first.AddDays(90);
            plan.Notes.Add("The last phase has no end: the challenge ends 90 days after its start; change the end on the settings page.");
        }
        input.EndsAtUtc = lastEnd;
        if (names.Count > 1)
        {
            plan.Notes.Add($"The phases {string.Join(", ", names.Select(n => $"'{n}'"))} become one submission window from the first start to the last end, with the last daily limit; this server has one public and one private leaderboard instead of a board per phase.");
        }
        return indexes;
    }

    private static void ReadTasks(BundleFiles files, BundleYaml yaml, Dictionary<string, YamlNode> entries, BundlePlan plan, BundleImportOptions options, HashSet<int> phaseTasks)
    {
        var tasks = yaml.Sequence(entries, "tasks", "tasks");
        if (tasks is null || tasks.Children.Count == 0)
        {
            yaml.Error(yaml.LineAt("tasks", 1), "tasks", "the bundle has no task.");
            return;
        }
        var metric = options.Metric is null ? null : MetricCatalog.Find(options.Metric);
        if (options.Metric is null)
        {
            yaml.Error((int?)null, "--metric", $"a Codabench scoring program cannot run here: name the built-in metric that scores the tasks (--metric), one of {string.Join(", ", MetricCatalog.All.Select(m => m.Name))}.");
        }
        else if (metric is null)
        {
            yaml.Error((int?)null, "--metric", $"unknown metric '{options.Metric}'; use one of {string.Join(", ", MetricCatalog.All.Select(m => m.Name))}.");
        }
        var index = 0;
        foreach (var node in tasks.Children)
        {
            var key = $"tasks[{index++}]";
            yaml.Lines[key] = BundleYaml.LineOf(node.Start);
            if (node is not YamlMappingNode taskNode)
            {
                yaml.Error(node, key, "each task is a mapping (index, name, reference_data, …).");
                continue;
            }
            var fields = Fields(yaml, taskNode, key);
            var name = yaml.String(fields, "name", $"{key}.name") ?? $"Task {index}";
            var taskIndex = yaml.Int(fields, "index", $"{key}.index") ?? index - 1;
            if (phaseTasks.Count > 0 && !phaseTasks.Contains(taskIndex))
            {
                plan.Notes.Add($"Task '{name}' is in no phase; it is imported all the same.");
            }
            foreach (var (field, what) in new[] { ("scoring_program", "the scoring program (the chosen metric scores instead)"), ("ingestion_program", "the ingestion program (participants upload predictions, not code)"), ("input_data", "the input data") })
            {
                if (fields.ContainsKey(field))
                {
                    plan.Notes.Add($"Not carried over for task '{name}': {what} ('{field}', line {yaml.LineAt($"{key}.{field}")}).");
                }
            }
            BundleFile? solution = null;
            var referenceKey = $"{key}.reference_data";
            if (yaml.String(fields, "reference_data", referenceKey) is { } reference)
            {
                solution = ReferenceCsv(files, yaml, reference, referenceKey);
            }
            else
            {
                plan.Notes.Add($"Task '{name}' has no reference data: upload its solution on the task's page.");
            }
            var header = solution is null ? [] : HeaderOf(solution.Content);
            var kind = options.Kind ?? (metric is null ? null : TaskSettings.Name(metric.TaskKinds.First()));
            var settings = new TaskSettings
            {
                Slug = CompetitionRules.SuggestSlug(name) is { Length: > 0 } slug ? slug : $"task-{index}",
                Title = name,
                Family = "predictions",
                Kind = kind,
                Metric = options.Metric,
                IdColumn = header.ElementAtOrDefault(0),
                TargetColumn = header.ElementAtOrDefault(1),
            };
            plan.Tasks.Add(new PlannedTask(settings, key, referenceKey, solution));
        }
    }

    /// <summary>The one CSV of a task's reference data: a CSV file, a folder holding one, or a zip holding one.</summary>
    private static BundleFile? ReferenceCsv(BundleFiles files, BundleYaml yaml, string reference, string key)
    {
        var path = reference.Replace('\\', '/').Trim().TrimEnd('/');
        List<BundleFile> candidates;
        if (files.Contains(path) && path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
        {
            var read = SafeZip.Read(files.Read(path), path, new ZipLimits { MaxEntries = 10_000, MaxTotalBytes = BundleFiles.MaxBundleBytes, MaxEntryBytes = BundleFiles.MaxBundleBytes });
            if (read.Value is not { } entries)
            {
                yaml.Error(yaml.LineAt(key), key, read.Errors[0].ToString());
                return null;
            }
            candidates = entries.Where(e => e.Name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)).Select(e => new BundleFile($"{path}/{e.Name}", e.Content)).ToList();
        }
        else if (files.Contains(path))
        {
            candidates = [new BundleFile(path, files.Read(path))];
        }
        else
        {
            candidates = files.Paths.Where(p => p.StartsWith(path + "/", StringComparison.Ordinal) && p.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
                .Select(p => new BundleFile(p, files.Read(p))).ToList();
            if (candidates.Count == 0 && !files.Paths.Any(p => p.StartsWith(path + "/", StringComparison.Ordinal)))
            {
                yaml.Error(yaml.LineAt(key), key, $"the bundle has no file or folder '{reference}'.");
                return null;
            }
        }
        if (candidates.Count != 1 || !candidates[0].Path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
        {
            yaml.Error(yaml.LineAt(key), key, $"the reference data '{reference}' holds {candidates.Count} CSV files; this server takes a task's solution from exactly one.");
            return null;
        }
        return candidates[0];
    }

    private static string[] HeaderOf(byte[] csv)
    {
        using var reader = new StreamReader(new MemoryStream(csv), detectEncodingFromByteOrderMarks: true);
        return (reader.ReadLine() ?? "").Split(',').Select(c => c.Trim().Trim('"')).ToArray();
    }

    private static Dictionary<string, YamlNode> Fields(BundleYaml yaml, YamlMappingNode map, string prefix)
    {
        var fields = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in map.Children)
        {
            var name = (keyNode as YamlScalarNode)?.Value ?? "";
            yaml.Lines[$"{prefix}.{name}"] = BundleYaml.LineOf(keyNode.Start);
            fields[name] = value;
        }
        return fields;
    }

    // Codabench writes dates as 2024-01-31, "2024-01-31 12:00" or ISO 8601; all are UTC.
    private static DateTime? Date(BundleYaml yaml, Dictionary<string, YamlNode> fields, string key, string path)
    {
        var text = yaml.String(fields, key, path);
        if (text is null)
        {
            return null;
        }
        string[] formats = ["yyyy-MM-dd", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "M-d-yyyy", "yyyy-MM-dd'T'HH:mm:ss", "o"];
        if (DateTime.TryParseExact(text.Trim(), formats, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var value)
            || DateTime.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out value))
        {
            return DateTime.SpecifyKind(value, DateTimeKind.Utc);
        }
        yaml.Error(yaml.LineAt(path), path, $"'{text}' is not a date like 2024-01-31 or 2024-01-31 12:00.");
        return null;
    }

    private static string? Text(BundleFiles files, BundleYaml yaml, string path, string key)
    {
        if (ChallengeManifest.FileIn(files, yaml, path, key) is not { } file)
        {
            return null;
        }
        return Encoding.UTF8.GetString(file.Content).TrimStart('\uFEFF');
    }
}
