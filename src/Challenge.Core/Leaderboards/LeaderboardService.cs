using System.Collections.Concurrent;
using Challenge.Core.Data;
using Challenge.Core.Submissions;
using Challenge.Scoring.Metrics;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Leaderboards;

// Builds boards from the submissions and caches each until a change event for its task arrives,
// so page views and API reads between two scores cost a dictionary lookup.
public sealed class LeaderboardService
{
    private readonly IDbContextFactory<ChallengeDbContext> _dbFactory;
    private readonly TimeProvider _clock;
    // Each cached board remembers the task's generation it was built at. A change bumps the
    // generation first, so a board whose build overlapped a change is rebuilt at the next read
    // instead of serving the old score until some later change.
    private readonly ConcurrentDictionary<(int TaskId, LeaderboardKind Kind), (long Generation, Task<Leaderboard> Board)> _cache = new();
    private readonly ConcurrentDictionary<int, long> _generations = new();
    private readonly ConcurrentDictionary<int, (long Generation, Task<IReadOnlyList<DailyCount>> Counts)> _perDay = new();

    public LeaderboardService(IDbContextFactory<ChallengeDbContext> dbFactory, ILeaderboardNotifier notifier, TimeProvider clock)
    {
        _dbFactory = dbFactory;
        _clock = clock;
        notifier.Changed += change => Invalidate(change.TaskId);
    }

    // The caller decides who may see the private board (everyone after the reveal, organizers always).
    public Task<Leaderboard> GetAsync(int taskId, LeaderboardKind kind, CancellationToken cancellationToken = default)
    {
        var generation = _generations.GetOrAdd(taskId, 0);
        var entry = _cache.AddOrUpdate((taskId, kind),
            key => (generation, Task.Run(() => BuildAsync(key.TaskId, key.Kind, CancellationToken.None))),
            (key, existing) => existing.Generation == generation && !existing.Board.IsFaulted && !existing.Board.IsCanceled
                ? existing
                : (generation, Task.Run(() => BuildAsync(key.TaskId, key.Kind, CancellationToken.None))));
        return entry.Board.WaitAsync(cancellationToken);
    }

    public void Invalidate(int taskId) => _generations.AddOrUpdate(taskId, 1, (_, generation) => generation + 1);

    private sealed record Scored(long Id, int TeamId, double? Public, double? Private, double? Lower, double? Upper, DateTime CreatedAtUtc, bool IsSelected);

    private sealed record TeamInfo(int Id, string Name, bool IsBaseline);

    private async Task<Leaderboard> BuildAsync(int taskId, LeaderboardKind kind, CancellationToken cancellationToken)
    {
        await using var db = await _dbFactory.CreateDbContextAsync(cancellationToken);
        var task = await db.Tasks.AsNoTracking().SingleAsync(t => t.Id == taskId, cancellationToken);
        var higherIsBetter = MetricCatalog.Find(task.Metric)?.HigherIsBetter ?? true;

        var teams = await db.Teams.AsNoTracking()
            .Where(t => t.CompetitionId == task.CompetitionId && t.DisqualifiedAtUtc == null)
            .Select(t => new TeamInfo(t.Id, t.Name, t.IsBaseline))
            .ToDictionaryAsync(t => t.Id, cancellationToken);
        var members = (await db.TeamMembers.AsNoTracking().Where(m => m.CompetitionId == task.CompetitionId)
                .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => new { m.TeamId, u.DisplayName, m.JoinedAtUtc })
                .ToListAsync(cancellationToken))
            .GroupBy(m => m.TeamId)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.OrderBy(m => m.JoinedAtUtc).Select(m => m.DisplayName).ToList());
        var submissions = await db.Submissions.AsNoTracking()
            .Where(s => s.TaskId == taskId && s.Status == SubmissionStatus.Scored && !s.IsHidden)
            .Select(s => new Scored(s.Id, s.TeamId, s.PublicScore, s.PrivateScore, s.PublicLower, s.PublicUpper, s.CreatedAtUtc, s.IsSelected))
            .ToListAsync(cancellationToken);
        var lastSubmission = await db.Submissions.AsNoTracking()
            .Where(s => s.TaskId == taskId && !s.IsHidden)
            .GroupBy(s => s.TeamId).Select(g => new { TeamId = g.Key, Last = g.Max(s => s.CreatedAtUtc) })
            .ToDictionaryAsync(g => g.TeamId, g => g.Last, cancellationToken);

        var byTeam = submissions.Where(s => teams.ContainsKey(s.TeamId)).GroupBy(s => s.TeamId).ToList();
        var publicRows = Rank(byTeam.Select(g => Row(g.Key, BestBy(g, s => s.Public, higherIsBetter), s => s?.Public, g.Count())), higherIsBetter);

        IReadOnlyList<LeaderboardRow> rows = WithSignificance(publicRows, higherIsBetter);
        if (kind == LeaderboardKind.Private)
        {
            var publicRank = publicRows.ToDictionary(r => r.TeamId, r => r.Rank);
            rows = Rank(byTeam.Select(g =>
            {
                var candidates = g.Any(s => s.IsSelected)
                    ? g.Where(s => s.IsSelected)
                    : Ordered(g, s => s.Public, higherIsBetter).Take(2);
                return Row(g.Key, BestBy(candidates, s => s.Private, higherIsBetter), s => s?.Private, g.Count()) with { PublicRank = publicRank[g.Key] };
            }), higherIsBetter);
        }

        return new Leaderboard(task.CompetitionId, task.Id, task.Slug, task.Title, task.Metric, higherIsBetter, kind, rows, _clock.GetUtcNow().UtcDateTime);

        LeaderboardRow Row(int teamId, Scored? best, Func<Scored?, double?> score, int entries)
        {
            var team = teams[teamId];
            var value = score(best);
            return new LeaderboardRow(null, teamId, team.Name, members.GetValueOrDefault(teamId) ?? [],
                value is { } v && double.IsFinite(v) ? v : null,
                kind == LeaderboardKind.Public ? best?.Lower : null,
                kind == LeaderboardKind.Public ? best?.Upper : null,
                entries, lastSubmission.GetValueOrDefault(teamId), best?.CreatedAtUtc, team.IsBaseline, null);
        }
    }

    internal static List<LeaderboardRow> WithSignificance(List<LeaderboardRow> rows, bool higherIsBetter)
    {
        var ranked = rows.Where(r => r.Rank is not null && r.Score is not null).ToList();
        var next = ranked.Zip(ranked.Skip(1)).ToDictionary(pair => pair.First.TeamId, pair => pair.Second);
        return rows.Select(row =>
            row.Lower is { } lower && row.Upper is { } upper && next.TryGetValue(row.TeamId, out var below) && below.Lower is { } belowLower && below.Upper is { } belowUpper
                ? row with { DiffersFromNext = higherIsBetter ? lower > belowUpper : upper < belowLower }
                : row).ToList();
    }

    // Best first; ties go to the earlier submission; missing or non-finite scores always last.
    private static IEnumerable<Scored> Ordered(IEnumerable<Scored> submissions, Func<Scored, double?> score, bool higherIsBetter)
    {
        var valid = submissions.Where(s => score(s) is { } v && double.IsFinite(v));
        var ordered = higherIsBetter ? valid.OrderByDescending(s => score(s)) : valid.OrderBy(s => score(s));
        return ordered.ThenBy(s => s.CreatedAtUtc).ThenBy(s => s.Id);
    }

    private static Scored? BestBy(IEnumerable<Scored> submissions, Func<Scored, double?> score, bool higherIsBetter) =>
        Ordered(submissions, score, higherIsBetter).FirstOrDefault();

    internal static List<LeaderboardRow> Rank(IEnumerable<LeaderboardRow> rows, bool higherIsBetter)
    {
        var withScore = rows.Where(r => r.Score is not null);
        var ordered = (higherIsBetter ? withScore.OrderByDescending(r => r.Score) : withScore.OrderBy(r => r.Score))
            .ThenBy(r => r.BestAtUtc).ThenBy(r => r.TeamId)
            .Concat(rows.Where(r => r.Score is null).OrderBy(r => r.Team, StringComparer.Ordinal));
        var rank = 0;
        return ordered.Select(r => r.IsBaseline ? r : r with { Rank = ++rank }).ToList();
    }

    public async Task<IReadOnlyList<ProgressionSeries>> ProgressionAsync(int taskId, IReadOnlyCollection<int> teamIds, CancellationToken cancellationToken = default)
    {
        await using var db = await _dbFactory.CreateDbContextAsync(cancellationToken);
        var task = await db.Tasks.AsNoTracking().SingleAsync(t => t.Id == taskId, cancellationToken);
        var higherIsBetter = MetricCatalog.Find(task.Metric)?.HigherIsBetter ?? true;
        var points = await db.Submissions.AsNoTracking()
            .Where(s => s.TaskId == taskId && s.Status == SubmissionStatus.Scored && !s.IsHidden && teamIds.Contains(s.TeamId) && s.PublicScore != null)
            .Select(s => new { s.TeamId, s.CreatedAtUtc, Score = s.PublicScore!.Value })
            .ToListAsync(cancellationToken);
        var names = await db.Teams.Where(t => teamIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Name, cancellationToken);
        return points.GroupBy(p => p.TeamId).Select(g =>
        {
            double? best = null;
            var series = new List<ProgressionPoint>();
            foreach (var point in g.OrderBy(p => p.CreatedAtUtc))
            {
                if (!double.IsFinite(point.Score))
                {
                    continue;
                }
                if (best is null || (higherIsBetter ? point.Score > best : point.Score < best))
                {
                    best = point.Score;
                    series.Add(new ProgressionPoint(point.CreatedAtUtc, point.Score));
                }
            }
            return new ProgressionSeries(names[g.Key], series);
        }).ToList();
    }

    // Every open leaderboard page asks for this after each score: it is cached like the boards.
    public Task<IReadOnlyList<DailyCount>> SubmissionsPerDayAsync(int taskId, CancellationToken cancellationToken = default)
    {
        var generation = _generations.GetOrAdd(taskId, 0);
        var entry = _perDay.AddOrUpdate(taskId,
            id => (generation, Task.Run(() => CountPerDayAsync(id))),
            (id, existing) => existing.Generation == generation && existing.Counts.IsCompletedSuccessfully ? existing : (generation, Task.Run(() => CountPerDayAsync(id))));
        return entry.Counts.WaitAsync(cancellationToken);
    }

    private async Task<IReadOnlyList<DailyCount>> CountPerDayAsync(int taskId)
    {
        var cancellationToken = CancellationToken.None;
        await using var db = await _dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Submissions.AsNoTracking().Where(s => s.TaskId == taskId && !s.IsBaseline)
            .GroupBy(s => s.QuotaDay).OrderBy(g => g.Key).Select(g => new DailyCount(g.Key, g.Count()))
            .ToListAsync(cancellationToken);
    }
}
