using Challenge.Core.Data;
using Challenge.Core.Submissions;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Web.Bench.Load;

// The database side of "nothing lost, nothing counted twice": read after the servers stopped,
// through EF so that it works on whichever provider the nodes used.
public static class LoadVerifier
{
    public static async Task<IReadOnlyList<string>> VerifyDatabaseAsync(IDbContextFactory<ChallengeDbContext> dbFactory, int taskId, LoadResult result, CancellationToken cancellationToken = default)
    {
        var problems = new List<string>();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.Submissions.AsNoTracking().Where(s => s.TaskId == taskId && !s.IsBaseline)
            .Select(s => new { s.Id, s.TeamId, s.Status, s.CountsAgainstQuota, s.StoredFileId, s.QuotaDay }).ToListAsync(cancellationToken);
        var accepted = result.Accepted.ToDictionary(a => a.Id);

        if (accepted.Count != result.Accepted.Count)
        {
            problems.Add("the server handed out the same submission id twice");
        }
        foreach (var lost in accepted.Keys.Where(id => rows.All(r => r.Id != id)))
        {
            problems.Add($"accepted submission {lost} is not in the database (lost)");
        }
        foreach (var extra in rows.Where(r => !accepted.ContainsKey(r.Id)))
        {
            problems.Add($"submission {extra.Id} is in the database but no client was told it was accepted (counted twice?)");
        }
        foreach (var shared in rows.GroupBy(r => r.StoredFileId).Where(g => g.Count() > 1))
        {
            problems.Add($"stored file {shared.Key} backs {shared.Count()} submissions");
        }
        foreach (var row in rows.Where(r => accepted.ContainsKey(r.Id)))
        {
            var expected = accepted[row.Id].MeantToBeRejected ? SubmissionStatus.Rejected : SubmissionStatus.Scored;
            if (row.Status != expected)
            {
                problems.Add($"submission {row.Id} ended {row.Status}, expected {expected}");
            }
        }

        // Each team's quota must equal its submissions that count (rejected files are refunded).
        var used = await db.DailyQuotas.AsNoTracking().Where(q => q.TaskId == taskId).ToListAsync(cancellationToken);
        foreach (var team in rows.GroupBy(r => (r.TeamId, r.QuotaDay)))
        {
            var counting = team.Count(r => r.CountsAgainstQuota);
            var recorded = used.SingleOrDefault(q => q.TeamId == team.Key.TeamId && q.Day == team.Key.QuotaDay)?.Used ?? 0;
            if (counting != recorded)
            {
                problems.Add($"team {team.Key.TeamId} on {team.Key.QuotaDay}: the quota records {recorded} submissions, {counting} count");
            }
        }
        return problems;
    }
}
