using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Challenge.Scoring;
using Challenge.Scoring.Metrics;
using Challenge.Scoring.Significance;
using Challenge.Scoring.Validation;

namespace Challenge.Cli.Commands;

/// <summary>
/// <c>challenge score</c>: validates a submission against a solution and prints its public,
/// private and overall scores, exactly as the server would compute them.
/// </summary>
public static class ScoreCommand
{
    private static readonly Dictionary<string, TaskKind> s_taskTypes = new()
    {
        ["label"] = TaskKind.Label,
        ["probability"] = TaskKind.Probability,
        ["multilabel"] = TaskKind.MultiLabel,
        ["regression"] = TaskKind.Regression,
        ["binary"] = TaskKind.BinaryProbability,
        ["ranking"] = TaskKind.Ranking,
        ["multilabel-probability"] = TaskKind.MultiLabelProbability,
        ["mask"] = TaskKind.Mask,
    };

    /// <summary>The <c>--task-type</c> word for a task kind.</summary>
    public static string TaskTypeName(TaskKind kind) => s_taskTypes.First(pair => pair.Value == kind).Key;

    public static Command Create(TextWriter output, TextWriter error)
    {
        var solution = new Option<FileInfo>("--solution") { Description = "The solution CSV (the hidden truth), optionally with a Usage column.", Required = true };
        var submission = new Option<FileInfo>("--submission") { Description = "The submission CSV to score.", Required = true };
        var metric = new Option<string>("--metric") { Description = "Metric name, e.g. accuracy, f1_macro, log_loss, rmse.", Required = true };
        var taskType = new Option<string>("--task-type") { Description = "What the files hold: label, probability (one column per class), multilabel, regression, binary (one probability column), ranking (space-separated ranked items), multilabel-probability (one independent probability column per class) or mask (run-length-encoded masks).", DefaultValueFactory = _ => "label" };
        taskType.AcceptOnlyFromAmong([.. s_taskTypes.Keys]);
        var idColumn = new Option<string>("--id-column") { Description = "Header of the Id column.", DefaultValueFactory = _ => "Id" };
        var targetColumn = new Option<string>("--target-column") { Description = "Header of the prediction column.", DefaultValueFactory = _ => "Category" };
        var usageColumn = new Option<string>("--usage-column") { Description = "Header of the solution's Public/Private/Ignored column.", DefaultValueFactory = _ => "Usage" };
        var publicFraction = new Option<double>("--public-fraction") { Description = "Public share when the solution has no Usage column.", DefaultValueFactory = _ => 0.3 };
        var seed = new Option<int>("--seed") { Description = "Seed of the public/private split and of the bootstrap.", DefaultValueFactory = _ => 0 };
        var classes = new Option<string?>("--classes") { Description = "Comma-separated classes in order (default: those in the solution)." };
        var classWeights = new Option<string?>("--class-weights") { Description = "Weights for weighted_accuracy, e.g. sandy=1,reef=5." };
        var topK = new Option<int>("--top-k") { Description = "k of top_k_accuracy and map_at_k.", DefaultValueFactory = _ => 5 };
        var positiveClass = new Option<string?>("--positive-class") { Description = "Binary tasks: the class the probability is about (default 1, or the second of --classes)." };
        var threshold = new Option<double>("--threshold") { Description = "Binary tasks: a probability at or above this predicts the positive class.", DefaultValueFactory = _ => 0.5 };
        var beta = new Option<double>("--beta") { Description = "β of f_beta.", DefaultValueFactory = _ => 1 };
        var imageSize = new Option<string?>("--image-size") { Description = "Mask tasks: WIDTHxHEIGHT in pixels, e.g. 1600x256." };
        var classParents = new Option<string?>("--class-parents") { Description = "Taxonomy for hierarchical_f1 and accuracy_at_depth: child=parent pairs, e.g. Calanus_glacialis=Calanus,Calanus=Copepoda." };
        var depth = new Option<int>("--depth") { Description = "Taxonomy depth compared by accuracy_at_depth (1 = the roots).", DefaultValueFactory = _ => 1 };
        var maxFileMb = new Option<double>("--max-file-mb") { Description = "Reject files larger than this many MiB.", DefaultValueFactory = _ => TaskDefinition.DefaultMaxFileBytes / (1024.0 * 1024.0) };
        var bootstrap = new Option<int>("--bootstrap") { Description = "Bootstrap replicates for a 95% interval of the private score (0: none).", DefaultValueFactory = _ => 0 };
        var detail = new Option<bool>("--detail") { Description = "Also print the confusion matrix and per-class precision, recall and F1." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of text." };
        var format = new Option<string?>("--format") { Description = "Annotation metrics only: read the submission as this format instead of detecting it (coco, coco_results, kili, yolo, voc, label_studio, cvat)." };

        var command = new Command("score", "Validate a submission against a solution and print its scores.")
        {
            solution, submission, metric, taskType, idColumn, targetColumn, usageColumn, publicFraction, seed,
            classes, classWeights, topK, maxFileMb, bootstrap, detail, json, format,
            positiveClass, threshold, beta, imageSize, classParents, depth,
        };
        command.SetAction(parse =>
        {
            var options = new ScoreOptions(
                parse.GetRequiredValue(solution).FullName,
                parse.GetRequiredValue(submission).FullName,
                parse.GetRequiredValue(metric),
                parse.GetRequiredValue(taskType),
                parse.GetRequiredValue(idColumn),
                parse.GetRequiredValue(targetColumn),
                parse.GetRequiredValue(usageColumn),
                parse.GetValue(publicFraction),
                parse.GetValue(seed),
                parse.GetValue(classes),
                parse.GetValue(classWeights),
                parse.GetValue(topK),
                parse.GetValue(maxFileMb),
                parse.GetValue(bootstrap),
                parse.GetValue(detail),
                parse.GetValue(json))
            {
                Format = parse.GetValue(format),
                PositiveClass = parse.GetValue(positiveClass),
                Threshold = parse.GetValue(threshold),
                Beta = parse.GetValue(beta),
                ImageSize = parse.GetValue(imageSize),
                ClassParents = parse.GetValue(classParents),
                Depth = parse.GetValue(depth),
            };
            return Execute(options, output, error);
        });
        return command;
    }

    /// <summary>Runs the command; returns 0 when scored, 2 when a file is rejected, 1 for other problems.</summary>
    public static int Execute(ScoreOptions options, TextWriter output, TextWriter error)
    {
        if (AnnotationScoreCommand.Handles(options.Metric))
        {
            return AnnotationScoreCommand.Execute(options, output, error);
        }
        if (options.Format is not null)
        {
            error.WriteLine($"error: --format applies to the annotation metrics ({string.Join(", ", Challenge.Annotations.Scoring.AnnotationScorer.Metrics)}), not to '{options.Metric}'.");
            return ExitCodes.Failure;
        }
        if (BuildTask(options, out string? problem) is not { } task)
        {
            error.WriteLine($"error: {problem}");
            return ExitCodes.Failure;
        }

        ValidationOutcome<Solution> solution;
        ValidationOutcome<Submission> submission;
        try
        {
            using (var solutionStream = File.OpenRead(options.SolutionPath))
            {
                solution = Solution.Load(solutionStream, task);
            }
            if (solution.Value is null)
            {
                WriteRejection("solution", options.SolutionPath, solution.Report, options.Json, output);
                return ExitCodes.Rejected;
            }
            using var submissionStream = File.OpenRead(options.SubmissionPath);
            submission = solution.Value.ReadSubmission(submissionStream);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: {exception.Message}");
            return ExitCodes.Failure;
        }

        if (submission.Value is not { } parsed)
        {
            WriteRejection("submission", options.SubmissionPath, submission.Report, options.Json, output);
            return ExitCodes.Rejected;
        }

        var result = Scorer.Score(parsed);
        var interval = options.BootstrapReplicates > 0 && solution.Value.PrivateRowCount > 0
            ? Bootstrap.Interval(parsed, ScorePart.Private, options.BootstrapReplicates, options.Seed)
            : null;
        if (options.Json)
        {
            WriteJson(result, interval, options.Detail, output);
        }
        else
        {
            WriteText(result, interval, options.Detail, output);
        }
        return ExitCodes.Success;
    }

    private static TaskDefinition? BuildTask(ScoreOptions options, out string? problem)
    {
        problem = null;
        if (!s_taskTypes.TryGetValue(options.TaskType.ToLowerInvariant(), out var kind))
        {
            problem = $"unknown --task-type '{options.TaskType}'; use one of {string.Join(", ", s_taskTypes.Keys)}.";
            return null;
        }
        var metric = MetricCatalog.Find(options.Metric);
        if (metric is null)
        {
            problem = $"unknown metric '{options.Metric}'. Known metrics: {string.Join(", ", MetricCatalog.All.Select(m => m.Name))}.";
            return null;
        }
        if (!metric.TaskKinds.Contains(kind))
        {
            problem = $"metric '{metric.Name}' does not apply to --task-type {options.TaskType}; use --task-type {string.Join(" or ", metric.TaskKinds.Select(TaskTypeName))}.";
            return null;
        }
        var weights = options.ClassWeights is null ? null : ParseWeights(options.ClassWeights, out problem);
        if (problem is not null)
        {
            return null;
        }
        if (metric.Name == "weighted_accuracy" && weights is null)
        {
            problem = "weighted_accuracy needs --class-weights, e.g. --class-weights sandy=1,muddy=2,reef=5.";
            return null;
        }
        if (!(options.MaxFileMb > 0))
        {
            problem = "--max-file-mb must be positive.";
            return null;
        }
        int width = 0, height = 0;
        if (options.ImageSize is { } size)
        {
            if (!TaskOptionText.TryParseImageSize(size, out width, out height))
            {
                problem = $"--image-size: '{size}' is not of the form WIDTHxHEIGHT, e.g. 1600x256.";
                return null;
            }
        }
        else if (kind == TaskKind.Mask)
        {
            problem = "mask tasks need --image-size WIDTHxHEIGHT (run-length encodings number the pixels of that image).";
            return null;
        }
        var parents = options.ClassParents is null ? null : TaskOptionText.ParseClassParents(options.ClassParents, out problem);
        if (problem is not null)
        {
            problem = "--class-parents: " + problem;
            return null;
        }
        if (metric.Name is "hierarchical_f1" or "accuracy_at_depth" && parents is null)
        {
            problem = $"{metric.Name} needs --class-parents, e.g. --class-parents Calanus_glacialis=Calanus,Calanus=Copepoda.";
            return null;
        }
        return new TaskDefinition
        {
            Kind = kind,
            Metric = metric.Name,
            IdColumn = options.IdColumn,
            TargetColumn = options.TargetColumn,
            UsageColumn = options.UsageColumn,
            PublicFraction = options.PublicFraction,
            Seed = options.Seed,
            Classes = options.Classes?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
            ClassWeights = weights,
            TopK = options.TopK,
            MaxFileBytes = (long)(options.MaxFileMb * 1024 * 1024),
            PositiveClass = options.PositiveClass,
            Threshold = options.Threshold,
            Beta = options.Beta,
            ImageWidth = width,
            ImageHeight = height,
            ClassParents = parents,
            Depth = options.Depth,
        };
    }

    private static Dictionary<string, double>? ParseWeights(string text, out string? problem)
    {
        problem = null;
        var weights = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (string pair in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = pair.LastIndexOf('=');
            if (equals <= 0 || !double.TryParse(pair[(equals + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double weight))
            {
                problem = $"--class-weights: '{pair}' is not of the form class=weight.";
                return null;
            }
            weights[pair[..equals].Trim()] = weight;
        }
        return weights;
    }

    private static void WriteRejection(string file, string path, ValidationReport report, bool json, TextWriter output)
    {
        if (json)
        {
            using var writer = new Utf8JsonWriterOverText(output);
            var w = writer.Json;
            w.WriteStartObject();
            w.WriteStartArray("errors");
            foreach (var e in report.Errors)
            {
                w.WriteStartObject();
                WriteNullableInt(w, "line", e.Line);
                WriteNullableInt(w, "column", e.Column);
                w.WriteString("message", e.Message);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteNumber("errorCount", report.ErrorCount);
            w.WriteString("file", file);
            w.WriteEndObject();
            return;
        }
        output.WriteLine($"The {file} was rejected: {report.ErrorCount:N0} error{(report.ErrorCount == 1 ? "" : "s")}.");
        foreach (var e in report.Errors)
        {
            string where = e.Line is null ? Path.GetFileName(path) : e.Column is null ? $"{Path.GetFileName(path)}:{e.Line}" : $"{Path.GetFileName(path)}:{e.Line}:{e.Column}";
            output.WriteLine($"  {where}: {e.Message}");
        }
        if (report.ErrorCount > report.Errors.Count)
        {
            output.WriteLine($"  ... and {report.ErrorCount - report.Errors.Count:N0} more.");
        }
    }

    private static void WriteJson(ScoreResult result, ConfidenceInterval? interval, bool detail, TextWriter output)
    {
        using var writer = new Utf8JsonWriterOverText(output);
        var w = writer.Json;
        w.WriteStartObject();
        w.WriteString("metric", result.Metric);
        w.WriteBoolean("higherIsBetter", result.HigherIsBetter);
        WriteNullableDouble(w, "public", result.Public);
        WriteNullableDouble(w, "private", result.Private);
        WriteNullableDouble(w, "overall", result.Overall);
        w.WriteNumber("rows", result.SubmittedRows);
        w.WriteNumber("publicRows", result.PublicRows);
        w.WriteNumber("privateRows", result.PrivateRows);
        w.WriteNumber("ignoredRows", result.IgnoredRows);
        w.WriteString("scorerVersion", result.ScorerVersion);
        if (interval is not null)
        {
            w.WriteStartObject("privateInterval");
            WriteNullableDouble(w, "lower", double.IsNaN(interval.Lower) ? null : interval.Lower);
            WriteNullableDouble(w, "upper", double.IsNaN(interval.Upper) ? null : interval.Upper);
            w.WriteNumber("confidence", interval.Confidence);
            w.WriteNumber("replicates", interval.Replicates);
            w.WriteEndObject();
        }
        if (detail && result.Detail is { } classes)
        {
            w.WriteStartArray("perClass");
            foreach (var c in classes.PerClass)
            {
                w.WriteStartObject();
                w.WriteString("class", c.Class);
                w.WriteNumber("support", c.Support);
                w.WriteNumber("predicted", c.Predicted);
                w.WriteNumber("precision", c.Precision);
                w.WriteNumber("recall", c.Recall);
                w.WriteNumber("f1", c.F1);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (classes.ConfusionMatrix is { } matrix)
            {
                w.WriteStartArray("confusionMatrix");
                foreach (var row in matrix)
                {
                    w.WriteStartArray();
                    foreach (long count in row)
                    {
                        w.WriteNumberValue(count);
                    }
                    w.WriteEndArray();
                }
                w.WriteEndArray();
            }
        }
        w.WriteEndObject();
    }

    private static void WriteText(ScoreResult result, ConfidenceInterval? interval, bool detail, TextWriter output)
    {
        output.WriteLine($"metric   {result.Metric} ({(result.HigherIsBetter ? "higher" : "lower")} is better)");
        output.WriteLine($"public   {Format(result.Public),-12} {result.PublicRows:N0} rows");
        output.WriteLine($"private  {Format(result.Private),-12} {result.PrivateRows:N0} rows");
        output.WriteLine($"overall  {Format(result.Overall),-12} {result.PublicRows + result.PrivateRows:N0} rows{(result.IgnoredRows > 0 ? $" ({result.IgnoredRows:N0} ignored)" : "")}");
        if (interval is not null)
        {
            output.WriteLine($"private 95% bootstrap interval: [{Format(interval.Lower)}, {Format(interval.Upper)}] ({interval.Replicates} replicates)");
        }
        if (detail && result.Detail is { } classes)
        {
            output.WriteLine();
            output.WriteLine($"{"class",-24} {"support",8} {"predicted",9} {"precision",9} {"recall",9} {"f1",9}");
            foreach (var c in classes.PerClass)
            {
                output.WriteLine($"{c.Class,-24} {c.Support,8} {c.Predicted,9} {c.Precision,9:0.0000} {c.Recall,9:0.0000} {c.F1,9:0.0000}");
            }
        }
        output.WriteLine($"scorer   {result.ScorerVersion}");
    }

    private static string Format(double? value) =>
        value is double v && !double.IsNaN(v) ? v.ToString("0.000000", CultureInfo.InvariantCulture) : "n/a";

    private static void WriteNullableInt(Utf8JsonWriter w, string name, int? value)
    {
        if (value is int v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void WriteNullableDouble(Utf8JsonWriter w, string name, double? value)
    {
        if (value is double v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    /// <summary>A JSON writer whose finished, single-line object goes to a <see cref="TextWriter"/>.</summary>
    internal sealed class Utf8JsonWriterOverText : IDisposable
    {
        private readonly MemoryStream _buffer = new();
        private readonly TextWriter _output;

        public Utf8JsonWriterOverText(TextWriter output)
        {
            _output = output;
            Json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        }

        public Utf8JsonWriter Json { get; }

        public void Dispose()
        {
            Json.Flush();
            Json.Dispose();
            _output.WriteLine(System.Text.Encoding.UTF8.GetString(_buffer.ToArray()));
        }
    }
}

/// <summary>Everything <c>challenge score</c> takes on its command line.</summary>
public sealed record ScoreOptions(
    string SolutionPath,
    string SubmissionPath,
    string Metric,
    string TaskType,
    string IdColumn,
    string TargetColumn,
    string UsageColumn,
    double PublicFraction,
    int Seed,
    string? Classes,
    string? ClassWeights,
    int TopK,
    double MaxFileMb,
    int BootstrapReplicates,
    bool Detail,
    bool Json)
{
    /// <summary>Forces the submission's annotation format (<c>--format</c>); null detects it.</summary>
    public string? Format { get; init; }

    public string? PositiveClass { get; init; }

    public double Threshold { get; init; } = 0.5;

    public double Beta { get; init; } = 1;

    /// <summary>Mask tasks: <c>WIDTHxHEIGHT</c>.</summary>
    public string? ImageSize { get; init; }

    /// <summary>child=parent pairs, comma-separated.</summary>
    public string? ClassParents { get; init; }

    public int Depth { get; init; } = 1;
}
