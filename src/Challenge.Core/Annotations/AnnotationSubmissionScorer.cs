using System.Text.Json;
using System.Text.Json.Nodes;
using Challenge.Annotations.Formats;
using Challenge.Annotations.Ranking;
using Challenge.Annotations.Scoring;
using Challenge.Core.Data;
using Challenge.Core.Files;
using Challenge.Core.Submissions;
using Challenge.Core.Tasks;
using Challenge.Scoring.Validation;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Annotations;

// What scoring an annotation export gave: either the errors to show the team, or the scores and the detail.
public sealed record AnnotationScoring(IReadOnlyList<ValidationError>? Errors, double? Public, double? Private, double? Overall, string? DetailJson)
{
    public bool Rejected => Errors is not null;
}

// Scores submissions of annotation and detection tasks with Challenge.Annotations against the task's gold set.
// SubmissionScorer hands these tasks here and keeps the claim, the quota and the notification.
public sealed class AnnotationSubmissionScorer(GoldSetCache goldSets, IFileStore files)
{
    public const string ScorerVersion = "annotations-1.0.0";

    // Reading is linear in the file and the file is bounded, so a real export reads in seconds; this stops
    // whatever the bounds did not foresee from holding the one scoring worker that every team shares.
    public static readonly TimeSpan ReadTimeLimit = TimeSpan.FromMinutes(5);

    public async Task<AnnotationScoring> ScoreAsync(CompetitionTask task, string storageKey, string fileName, CancellationToken cancellationToken = default)
    {
        var gold = await goldSets.GetAsync(task, cancellationToken);
        byte[] content;
        await using (var stream = files.OpenRead(storageKey))
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken);
            content = buffer.ToArray();
        }

        var read = AnnotationReader.Read(content, fileName, new AnnotationReadOptions { Reference = gold.Gold, TimeLimit = ReadTimeLimit });
        if (!read.Succeeded)
        {
            return Rejected(read.Errors);
        }

        var outcome = AnnotationScorer.Score(gold.Gold, read.Value!, task.Metric, publicImageIds: gold.PublicImageIds, submissionName: fileName,
            onlyLabelledImages: task.Family == TaskFamily.Annotation);
        if (outcome is AnnotationValidationFailure failure)
        {
            return Rejected(failure.Errors);
        }

        var score = (AnnotationScore)outcome;
        var detail = new JsonObject
        {
            ["scorerVersion"] = ScorerVersion,
            ["format"] = AnnotationReader.DetectFormat(content, fileName)?.ToString(),
            ["score"] = score.ToJson(),
            ["variables"] = new JsonObject
            {
                ["public"] = Variables(score.Public!, gold.PublicImageIds.Count),
                ["private"] = Variables(score.Private!, gold.Gold.Images.Count - gold.PublicImageIds.Count),
                ["overall"] = Variables(score.Overall, gold.Gold.Images.Count),
            },
        };
        return new AnnotationScoring(null, Finite(score.Public!.Value), Finite(score.Private!.Value), Finite(score.Overall.Value), detail.ToJsonString());
    }

    // Applies the organizer's ranking formula to every scored submission of the task: max_labelled depends on
    // all teams, so one team labelling more moves the others' scores too. Returns whether any submission other
    // than the current one changed score, since only then do other teams' leaderboard rows move.
    // The submission being scored is passed in, so that its status and formula score are saved together.
    public static async Task<bool> ApplyRankingFormulaAsync(ChallengeDbContext db, CompetitionTask task, Submission? current, CancellationToken cancellationToken)
    {
        if (task.RankingFormula is null || !RankingFormula.TryParse(task.RankingFormula, out var formula, out _))
        {
            return false;
        }

        var currentId = current?.Id ?? 0;
        var scored = await db.Submissions.Where(s => s.TaskId == task.Id && s.Id != currentId && s.Status == SubmissionStatus.Scored && s.DetailJson != null && s.SolutionVersion == task.SolutionVersion)
            .ToListAsync(cancellationToken);
        if (current is { Status: SubmissionStatus.Scored, DetailJson: not null })
        {
            scored.Add(current);
        }
        var variables = scored.Select(s => (Submission: s, Parts: ReadVariables(s.DetailJson!))).Where(x => x.Parts is not null).ToList();
        if (variables.Count == 0)
        {
            return false;
        }

        var max = new Dictionary<string, double>();
        foreach (var part in new[] { "public", "private", "overall" })
        {
            max[part] = variables.Max(v => v.Parts![part].GetValueOrDefault("labelled"));
        }

        var othersMoved = false;
        foreach (var (submission, parts) in variables)
        {
            double? Evaluate(string part)
            {
                var values = new Dictionary<string, double>(parts![part]) { ["max_labelled"] = max[part] };
                foreach (var name in formula!.UsedVariables.Where(n => !values.ContainsKey(n)))
                {
                    values[name] = 0;
                }
                return Finite(formula.Evaluate(values));
            }

            var (publicScore, privateScore, overall) = (Evaluate("public"), Evaluate("private"), Evaluate("overall"));
            if (submission.PublicScore != publicScore || submission.PrivateScore != privateScore || submission.OverallScore != overall)
            {
                submission.PublicScore = publicScore;
                submission.PrivateScore = privateScore;
                submission.OverallScore = overall;
                othersMoved |= !ReferenceEquals(submission, current);
            }
        }

        return othersMoved;
    }

    public static Dictionary<string, Dictionary<string, double>>? ReadVariables(string detailJson)
    {
        try
        {
            var node = JsonNode.Parse(detailJson)?["variables"];
            return node?.Deserialize<Dictionary<string, Dictionary<string, double>>>();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonObject Variables(PartScore part, int images)
    {
        var d = part.Details;
        double Get(string key) => d.TryGetValue(key, out var value) && double.IsFinite(value) ? value : 0;
        var json = new JsonObject
        {
            ["labelled"] = Get("labelled"),
            ["total"] = images,
            ["coverage"] = Get("coverage"),
        };
        if (d.ContainsKey("accuracy"))
        {
            json["honeypot_accuracy"] = Get("accuracy");
            json["kappa"] = Get("kappa");
        }
        if (d.ContainsKey("f1"))
        {
            json["precision"] = Get("precision");
            json["recall"] = Get("recall");
            json["f1"] = Get("f1");
            json["mean_iou"] = Get("meanIou");
            json["class_accuracy"] = Get("classAccuracy");
        }
        if (d.ContainsKey("ap"))
        {
            json["map"] = Math.Max(0, Get("ap"));
            json["map50"] = Math.Max(0, Get("ap50"));
        }
        return json;
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;

    private static AnnotationScoring Rejected(IReadOnlyList<Challenge.Annotations.Model.AnnotationError> errors) =>
        new(errors.Select(e => new ValidationError(e.Line, null, $"{e.Entry}: {e.Message}")).ToList(), null, null, null, null);
}

// The annotation side of SubmissionScorer's work on a claimed submission: fills in the score or the
// errors. SubmissionScorer keeps the lease, the claim-guarded save (with the quota refund) and the
// notification, as for CSV predictions.
public sealed class AnnotationScoringStep(AnnotationSubmissionScorer scorer)
{
    // Refund: a refused file gives its submission back. OtherTeamsMoved: the organizer's ranking formula
    // changed other submissions' scores too (they are tracked by db and saved with this one).
    public async Task<(bool Refund, bool OtherTeamsMoved)> ScoreAsync(ChallengeDbContext db, Submission submission, CompetitionTask task, CancellationToken cancellationToken)
    {
        var result = await scorer.ScoreAsync(task, submission.StoredFile!.StorageKey, submission.FileName, cancellationToken);
        if (result.Rejected)
        {
            submission.Status = SubmissionStatus.Rejected;
            submission.ErrorsJson = JsonSerializer.Serialize(result.Errors!.Take(ValidationReport.MaxListedErrors), SubmissionScorer.Json);
            submission.ErrorCount = result.Errors!.Count;
            var rejectedCount = await db.Competitions.Where(c => c.Id == submission.CompetitionId).Select(c => c.RejectedSubmissionsCount).SingleAsync(cancellationToken);
            return (!rejectedCount && submission.CountsAgainstQuota, false);
        }

        submission.Status = SubmissionStatus.Scored;
        submission.PublicScore = result.Public;
        submission.PrivateScore = result.Private;
        submission.OverallScore = result.Overall;
        submission.DetailJson = result.DetailJson;
        submission.ScorerVersion = AnnotationSubmissionScorer.ScorerVersion;
        var moved = await AnnotationSubmissionScorer.ApplyRankingFormulaAsync(db, task, submission, cancellationToken);
        return (false, moved);
    }
}
