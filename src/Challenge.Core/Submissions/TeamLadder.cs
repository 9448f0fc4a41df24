using Challenge.Core.Data;
using Challenge.Scoring.Metrics;
using Challenge.Scoring.Significance;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Submissions;

/// <summary>
/// Under the Ladder (Blum &amp; Hardt, ICML 2015) a team must not learn a submission's exact public
/// score from its own pages or the API either, or probing the public rows would still work: each of
/// its submissions reads as the score the public board showed for the team after that submission
/// (the previous shown score when it did not beat it by more than the margin), with no interval.
/// Under the parameter-free rule that is the decision stored on the submission; one not decided yet
/// reads as the score shown before it.
/// </summary>
public static class TeamLadder
{
    /// <summary>Rewrites the public scores of untracked submissions of one or more teams, task by task, where the task uses the Ladder.</summary>
    public static async Task ApplyAsync(ChallengeDbContext db, IReadOnlyCollection<Submission> submissions, CancellationToken cancellationToken)
    {
        if (submissions.Count == 0)
        {
            return;
        }
        var taskIds = submissions.Select(s => s.TaskId).Distinct().ToList();
        var laddered = await db.Tasks.AsNoTracking().Where(t => taskIds.Contains(t.Id) && (t.LadderMargin != null || t.LadderParameterFree))
            .Select(t => new { t.Id, t.Metric, t.LadderMargin, t.LadderParameterFree }).ToListAsync(cancellationToken);
        foreach (var task in laddered)
        {
            var higherIsBetter = MetricCatalog.Find(task.Metric)?.HigherIsBetter ?? true;
            foreach (var team in submissions.Where(s => s.TaskId == task.Id).GroupBy(s => s.TeamId))
            {
                // The ladder runs over every submission of the team on the task, not only those asked for.
                var teamId = team.Key;
                var history = await db.Submissions.AsNoTracking().Where(s => s.TaskId == task.Id && s.TeamId == teamId)
                    .OrderBy(s => s.CreatedAtUtc).ThenBy(s => s.Id)
                    .Select(s => new { s.Id, s.Status, s.IsHidden, s.PublicScore, s.LadderScore }).ToListAsync(cancellationToken);
                var counted = history.Where(s => s.Status == SubmissionStatus.Scored && !s.IsHidden).ToList();
                IReadOnlyList<double> steps;
                if (task.LadderParameterFree)
                {
                    var after = double.NaN;
                    steps = [.. counted.Select(s => after = s.LadderScore ?? after)];
                }
                else
                {
                    steps = [.. Ladder.WithMargin([.. counted.Select(s => s.PublicScore is { } v && double.IsFinite(v) ? v : double.NaN)], higherIsBetter, task.LadderMargin!.Value).Select(step => step.Shown)];
                }
                var shown = counted.Select((s, i) => (s.Id, Shown: steps[i])).ToDictionary(p => p.Id, p => double.IsNaN(p.Shown) ? (double?)null : p.Shown);
                foreach (var submission in team)
                {
                    submission.PublicScore = shown.GetValueOrDefault(submission.Id);
                    submission.PublicLower = submission.PublicUpper = null;
                }
            }
        }
    }
}
