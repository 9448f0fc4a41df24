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
        var laddered = await db.Tasks.AsNoTracking().Where(t => taskIds.Contains(t.Id) && t.LadderMargin != null)
            .Select(t => new { t.Id, t.Metric, Margin = t.LadderMargin!.Value }).ToListAsync(cancellationToken);
        foreach (var task in laddered)
        {
            var higherIsBetter = MetricCatalog.Find(task.Metric)?.HigherIsBetter ?? true;
            foreach (var team in submissions.Where(s => s.TaskId == task.Id).GroupBy(s => s.TeamId))
            {
                // The ladder runs over every submission of the team on the task, not only those asked for.
                var teamId = team.Key;
                var history = await db.Submissions.AsNoTracking().Where(s => s.TaskId == task.Id && s.TeamId == teamId)
                    .OrderBy(s => s.CreatedAtUtc).ThenBy(s => s.Id)
                    .Select(s => new { s.Id, s.Status, s.IsHidden, s.PublicScore }).ToListAsync(cancellationToken);
                var counted = history.Where(s => s.Status == SubmissionStatus.Scored && !s.IsHidden).ToList();
                var steps = Ladder.WithMargin([.. counted.Select(s => s.PublicScore is { } v && double.IsFinite(v) ? v : double.NaN)], higherIsBetter, task.Margin);
                var shown = counted.Select((s, i) => (s.Id, steps[i].Shown)).ToDictionary(p => p.Id, p => double.IsNaN(p.Shown) ? (double?)null : p.Shown);
                foreach (var submission in team)
                {
                    submission.PublicScore = shown.GetValueOrDefault(submission.Id);
                    submission.PublicLower = submission.PublicUpper = null;
                }
            }
        }
    }
}
