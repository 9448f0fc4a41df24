using System.Globalization;
using System.Text.Json;
using Challenge.Annotations.Assets;
using Challenge.Annotations.Formats;
using Challenge.Annotations.Model;
using Challenge.Annotations.Scoring;

namespace Challenge.Cli.Commands;

/// <summary>
/// <c>challenge score</c> with an annotation metric: reads the gold set and the submission in any supported format,
/// splits the images into public and private parts as the server does (--public-fraction, --seed) and prints the
/// CSV metrics' JSON shape plus the detailed figures.
/// </summary>
internal static class AnnotationScoreCommand
{
    public static bool Handles(string metric) => AnnotationScorer.Metrics.Contains(metric.Trim().ToLowerInvariant());

    public static int Execute(ScoreOptions options, TextWriter output, TextWriter error)
    {
        AnnotationFormat? forced = null;
        if (options.Format is not null)
        {
            if (!AnnotationFormatNames.TryParse(options.Format, out var parsed))
            {
                error.WriteLine($"error: unknown --format '{options.Format}'; use one of coco, coco_results, kili, yolo, voc, label_studio, cvat.");
                return ExitCodes.Failure;
            }
            forced = parsed;
        }
        if (options.PublicFraction is < 0 or > 1 || double.IsNaN(options.PublicFraction))
        {
            error.WriteLine("error: --public-fraction must lie between 0 and 1.");
            return ExitCodes.Failure;
        }

        byte[] solutionBytes, submissionBytes;
        try
        {
            var maxBytes = (long)(options.MaxFileMb * 1024 * 1024);
            if (new FileInfo(options.SubmissionPath).Length > maxBytes)
            {
                return Reject("submission", [new AnnotationError(Path.GetFileName(options.SubmissionPath), null, $"the file is larger than {options.MaxFileMb} MiB (--max-file-mb)")], options, output);
            }
            solutionBytes = File.ReadAllBytes(options.SolutionPath);
            submissionBytes = File.ReadAllBytes(options.SubmissionPath);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: {exception.Message}");
            return ExitCodes.Failure;
        }

        var metric = options.Metric.Trim().ToLowerInvariant();
        var gold = AnnotationReader.Read(solutionBytes, Path.GetFileName(options.SolutionPath));
        if (!gold.Succeeded)
        {
            return Reject("solution", gold.Errors, options, output);
        }
        foreach (var warning in gold.Warnings)
        {
            error.WriteLine($"warning: {warning}");
        }
        var submissionName = Path.GetFileName(options.SubmissionPath);
        var submission = AnnotationReader.Read(submissionBytes, submissionName, new AnnotationReadOptions { Format = forced, Reference = gold.Value });
        if (!submission.Succeeded)
        {
            return Reject("submission", submission.Errors, options, output);
        }

        var publicIds = ImageSplit.PublicImageIds(gold.Value!.Images, options.PublicFraction, options.Seed);
        // The server compares annotation-task metrics on the images a team labelled; coverage is ranked apart.
        var outcome = AnnotationScorer.Score(gold.Value, submission.Value!, metric, publicImageIds: publicIds, submissionName: submissionName,
            onlyLabelledImages: metric is "box_f1" or "annotation_accuracy");
        if (outcome is AnnotationValidationFailure failure)
        {
            return Reject("submission", failure.Errors, options, output);
        }

        var score = (AnnotationScore)outcome;
        var images = gold.Value.Images.Count;
        if (options.Json)
        {
            WriteJson(score, images, publicIds.Count, output);
        }
        else
        {
            WriteText(score, images, publicIds.Count, options.Detail, output);
        }
        return ExitCodes.Success;
    }

    private static void WriteJson(AnnotationScore score, int images, int publicImages, TextWriter output)
    {
        using var writer = new ScoreCommand.Utf8JsonWriterOverText(output);
        var w = writer.Json;
        w.WriteStartObject();
        w.WriteString("metric", score.Metric);
        w.WriteBoolean("higherIsBetter", score.HigherIsBetter);
        Number(w, "public", score.Public?.Value);
        Number(w, "private", score.Private?.Value);
        Number(w, "overall", score.Overall.Value);
        w.WriteNumber("rows", images);
        w.WriteNumber("publicRows", publicImages);
        w.WriteNumber("privateRows", images - publicImages);
        w.WriteNumber("ignoredRows", 0);
        w.WriteString("scorerVersion", "annotations-1.0.0");
        Figures(w, "details", score.Overall.Details);
        w.WriteStartObject("perClass");
        foreach (var (name, figures) in score.Overall.PerClass)
        {
            Figures(w, name, figures);
        }
        w.WriteEndObject();
        if (score.Public is not null && score.Private is not null)
        {
            Figures(w, "publicDetails", score.Public.Details);
            Figures(w, "privateDetails", score.Private.Details);
        }
        w.WriteEndObject();
    }

    private static void WriteText(AnnotationScore score, int images, int publicImages, bool detail, TextWriter output)
    {
        output.WriteLine($"metric   {score.Metric} (higher is better)");
        output.WriteLine($"public   {Format(score.Public?.Value),-12} {publicImages:N0} images");
        output.WriteLine($"private  {Format(score.Private?.Value),-12} {images - publicImages:N0} images");
        output.WriteLine($"overall  {Format(score.Overall.Value),-12} {images:N0} images");
        output.WriteLine("details  " + string.Join("  ", score.Overall.Details.Select(d => $"{d.Key} {Format(d.Value)}")));
        if (detail && score.Overall.PerClass.Count > 0)
        {
            output.WriteLine();
            var columns = score.Overall.PerClass.First().Value.Keys.ToList();
            output.WriteLine($"{"class",-28} " + string.Join(" ", columns.Select(c => $"{c,10}")));
            foreach (var (name, figures) in score.Overall.PerClass)
            {
                output.WriteLine($"{name,-28} " + string.Join(" ", columns.Select(c => $"{Format(figures.GetValueOrDefault(c)),10}")));
            }
        }
        output.WriteLine("scorer   annotations-1.0.0");
    }

    private static int Reject(string file, IReadOnlyList<AnnotationError> errors, ScoreOptions options, TextWriter output)
    {
        if (options.Json)
        {
            using var writer = new ScoreCommand.Utf8JsonWriterOverText(output);
            var w = writer.Json;
            w.WriteStartObject();
            w.WriteStartArray("errors");
            foreach (var e in errors)
            {
                w.WriteStartObject();
                w.WriteString("entry", e.Entry);
                if (e.Line is { } line)
                {
                    w.WriteNumber("line", line);
                }
                else
                {
                    w.WriteNull("line");
                }
                w.WriteNull("column");
                w.WriteString("message", e.Message);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteNumber("errorCount", errors.Count);
            w.WriteString("file", file);
            w.WriteEndObject();
        }
        else
        {
            output.WriteLine($"The {file} was rejected: {errors.Count:N0} error{(errors.Count == 1 ? "" : "s")}.");
            foreach (var e in errors)
            {
                output.WriteLine($"  {e}");
            }
        }
        return ExitCodes.Rejected;
    }

    private static void Figures(Utf8JsonWriter w, string name, IReadOnlyDictionary<string, double> figures)
    {
        w.WriteStartObject(name);
        foreach (var (key, value) in figures)
        {
            Number(w, key, value);
        }
        w.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter w, string name, double? value)
    {
        if (value is double v && double.IsFinite(v))
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static string Format(double? value) =>
        value is double v && double.IsFinite(v) ? v.ToString("0.000000", CultureInfo.InvariantCulture) : "n/a";
}
