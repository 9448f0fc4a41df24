using System.Security.Claims;
using Challenge.Core.Access;
using Challenge.Core.Challenges;
using Challenge.Core.Outcomes;
using Microsoft.AspNetCore.Authorization;
using System.Collections.Concurrent;
using Challenge.Core.Data;
using Challenge.Core.Submissions;
using Challenge.Scoring.Metrics;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Leaderboards;

// Keeps each task's board in memory: built in full once, then, on each change event, only the
// teams the event names are read again (a few indexed rows) and the board re-ranked, so the first
// read after a score costs milliseconds however long the history is. Page views and API reads
// between two changes cost a dictionary lookup.
public sealed class LeaderboardService
{
    private readonly IDbContextFactory<ChallengeDbContext> _dbFactory;
    private readonly TimeProvider _clock;
    private readonly ConcurrentDictionary<int, TaskBoards> _tasks = new();
    private readonly ConcurrentDictionary<int, (long CountedAt, Task<IReadOnlyList<DailyCount>> Counts, Task<IReadOnlyList<DailyCount>>? Previous)> _perDay = new();

    private readonly IAuthorizationService _authorization;

    public LeaderboardService(IDbContextFactory<ChallengeDbContext> dbFactory, ILeaderboardNotifier notifier, TimeProvider clock, IAuthorizationService authorization)
    {
        _dbFactory = dbFactory;
        _clock = clock;
        _authorization = authorization;
        notifier.Changed += change => Boards(change.TaskId).Changed(change.TeamId);
    }

    /// <summary>A task's board for <paramref name="user"/>: the private board only under <see cref="AccessRules.SeePrivateBoard"/>.</summary>
    public async Task<Outcome<Leaderboard>> GetForAsync(Competition challenge, int taskId, LeaderboardKind kind, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        if (kind == LeaderboardKind.Private && !await _authorization.AllowsAsync(user, challenge, AccessRules.SeePrivateBoard))
        {
            return Outcome<Leaderboard>.Forbidden("The private leaderboard is revealed after the final deadline.");
        }
        return await GetAsync(taskId, kind, cancellationToken);
    }

    // Callers that show a board to a person go through GetForAsync, which checks the private board's rule.
    public async Task<Leaderboard> GetAsync(int taskId, LeaderboardKind kind, CancellationToken cancellationToken = default)
    {
        var boards = Boards(taskId);
        // Every change announced before this read began must show on the board it returns; later
        // ones may. So a refresh that ran while this read waited for the gate serves it too, and
        // readers arriving during a stream of scores do not each refresh in turn behind the gate.
        var wanted = boards.Generation;
        if (boards.Current is { } current && current.Generation >= wanted)
        {
            return current.Board(kind);
        }
        await boards.Gate.WaitAsync(cancellationToken);
        try
        {
            current = boards.Current;
            if (current is null || current.Generation < wanted)
            {
                // Not cancellable: the changes taken here must reach a board.
                current = await RefreshAsync(boards, current);
            }
        }
        finally
        {
            boards.Gate.Release();
        }
        return current.Board(kind);
    }

    // Forgets what is known of the task: the next read builds its board in full.
    public void Invalidate(int taskId) => Boards(taskId).Changed(null);

    private TaskBoards Boards(int taskId) => _tasks.GetOrAdd(taskId, id => new TaskBoards(id));

    private async Task<Snapshot> RefreshAsync(TaskBoards boards, Snapshot? previous)
    {
        // Every change counted in this generation has put its team in the taken set, and its data
        // was committed before it was announced, so the reads below see all of them. A change that
        // comes later raises the generation again and is applied at the next read.
        var (generation, dirty) = boards.Take();
        try
        {
            var built = previous is null || dirty is null
                ? await BuildAsync(boards.TaskId, generation)
                : await UpdateAsync(previous, dirty, generation);
            boards.Current = built;
            return built;
        }
        catch
        {
            boards.Changed(null);
            throw;
        }
    }

    private sealed class TaskBoards(int taskId)
    {
        private readonly Lock _lock = new();
        private long _generation;
        // Teams changed since the last refresh; null when the next refresh must read everything.
        private HashSet<int>? _dirty = [];

        public int TaskId { get; } = taskId;
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public volatile Snapshot? Current;

        public long Generation => Interlocked.Read(ref _generation);

        public void Changed(int? teamId)
        {
            lock (_lock)
            {
                if (teamId is null)
                {
                    _dirty = null;
                }
                else
                {
                    _dirty?.Add(teamId.Value);
                }
                Interlocked.Increment(ref _generation);
            }
        }

        public (long Generation, HashSet<int>? Dirty) Take()
        {
            lock (_lock)
            {
                var taken = (Generation, _dirty);
                _dirty = [];
                return taken;
            }
        }
    }

    private sealed record TaskInfo(int CompetitionId, int Id, string Slug, string Title, string Metric, bool HigherIsBetter, double? LadderMargin = null, bool ParameterFreeLadder = false);

    private sealed record TeamInfo(int Id, string Name, bool IsBaseline);

    private sealed record Visible(int TeamId, long Id, SubmissionStatus Status, double? Public, double? Private, double? Lower, double? Upper, DateTime CreatedAtUtc, bool IsSelected,
        string? Sha256 = null, string? ScorerVersion = null, int SolutionVersion = 0, double? LadderScore = null, bool LadderMoved = false);

    private sealed record Scored(long Id, double? Public, double? Private, double? Lower, double? Upper, DateTime CreatedAtUtc, bool IsSelected,
        string? Sha256 = null, string? ScorerVersion = null, int SolutionVersion = 0, double? LadderScore = null, bool LadderMoved = false);

    // One team's standing on a task: its best public submission and, for the private board, the best
    // private score among its selected submissions (or its two best public ones).
    private sealed class TeamStanding
    {
        public TeamStanding(TeamInfo team, IReadOnlyList<string> members, List<Scored> scored, DateTime lastSubmission, bool higherIsBetter, double? ladderMargin = null, bool parameterFreeLadder = false)
        {
            Team = team;
            Members = members;
            Entries = scored.Count;
            LastSubmissionUtc = lastSubmission;
            var byPublic = Ordered(scored, s => s.Public, higherIsBetter).ToList();
            BestPublic = parameterFreeLadder ? Decided(scored)
                : ladderMargin is { } margin ? Laddered(scored, higherIsBetter, margin)
                : byPublic.FirstOrDefault();
            var candidates = scored.Any(s => s.IsSelected) ? scored.Where(s => s.IsSelected) : byPublic.Take(2);
            BestPrivate = BestBy(candidates, s => s.Private, higherIsBetter);
        }

        // Under the Ladder the public board shows the score of the last submission that beat the
        // shown one by more than the margin, rounded to a multiple of it; never a bootstrap interval
        // of the exact score, which would give back what the rounding withholds.
        private static Scored? Laddered(List<Scored> scored, bool higherIsBetter, double margin)
        {
            var inOrder = scored.OrderBy(s => s.CreatedAtUtc).ThenBy(s => s.Id).ToList();
            var steps = Challenge.Scoring.Significance.Ladder.WithMargin(inOrder.Select(s => s.Public is { } v && double.IsFinite(v) ? v : double.NaN).ToList(), higherIsBetter, margin);
            var last = -1;
            for (var i = 0; i < steps.Count; i++)
            {
                if (steps[i].Updated)
                {
                    last = i;
                }
            }
            return last < 0 ? null : inOrder[last] with { Public = steps[last].Shown, Lower = null, Upper = null };
        }

        // Under the parameter-free Ladder the decisions are stored (see ParameterFreeLadder): the
        // board shows the last submission that moved the shown score, at the score it showed. One not
        // decided yet (an earlier one of the team is still being scored) shows nothing new until it is.
        private static Scored? Decided(List<Scored> scored)
        {
            var setter = scored.Where(s => s.LadderMoved && s.LadderScore is not null).OrderBy(s => s.CreatedAtUtc).ThenBy(s => s.Id).LastOrDefault();
            return setter is null ? null : setter with { Public = setter.LadderScore, Lower = null, Upper = null };
        }

        public TeamInfo Team { get; }
        public IReadOnlyList<string> Members { get; }
        public int Entries { get; }
        public DateTime LastSubmissionUtc { get; }
        public Scored? BestPublic { get; }
        public Scored? BestPrivate { get; }
    }

    private sealed class Snapshot(long generation, TaskInfo task, Dictionary<int, TeamStanding> teams, TimeProvider clock)
    {
        private Leaderboard? _public;
        private Leaderboard? _private;

        public long Generation { get; } = generation;
        public TaskInfo Task { get; } = task;
        public Dictionary<int, TeamStanding> Teams { get; } = teams;

        public Leaderboard Board(LeaderboardKind kind) => kind == LeaderboardKind.Public
            ? _public ??= Compute(LeaderboardKind.Public)
            : _private ??= Compute(LeaderboardKind.Private);

        private Leaderboard Compute(LeaderboardKind kind)
        {
            var higherIsBetter = Task.HigherIsBetter;
            var publicRows = Rank(Teams.Values.Select(t => Row(t, t.BestPublic, t.BestPublic?.Public, LeaderboardKind.Public)), higherIsBetter);
            IReadOnlyList<LeaderboardRow> rows = WithSignificance(publicRows, higherIsBetter);
            if (kind == LeaderboardKind.Private)
            {
                var publicRank = publicRows.ToDictionary(r => r.TeamId, r => r.Rank);
                rows = Rank(Teams.Values.Select(t => Row(t, t.BestPrivate, t.BestPrivate?.Private, kind) with { PublicRank = publicRank[t.Team.Id] }), higherIsBetter);
            }
            return new Leaderboard(Task.CompetitionId, Task.Id, Task.Slug, Task.Title, Task.Metric, higherIsBetter, kind, rows, clock.GetUtcNow().UtcDateTime);
        }

        private static LeaderboardRow Row(TeamStanding team, Scored? best, double? value, LeaderboardKind kind) =>
            new(null, team.Team.Id, team.Team.Name, team.Members,
                value is { } v && double.IsFinite(v) ? v : null,
                kind == LeaderboardKind.Public ? best?.Lower : null,
                kind == LeaderboardKind.Public ? best?.Upper : null,
                team.Entries, team.LastSubmissionUtc, best?.CreatedAtUtc, team.Team.IsBaseline, null)
            {
                SubmissionId = best?.Id,
                Sha256 = best?.Sha256,
                ScorerVersion = best?.ScorerVersion,
                SolutionVersion = best?.SolutionVersion,
            };
    }

    private async Task<TaskInfo> TaskInfoAsync(ChallengeDbContext db, int taskId)
    {
        var task = await db.Tasks.AsNoTracking().SingleAsync(t => t.Id == taskId);
        return new TaskInfo(task.CompetitionId, task.Id, task.Slug, task.Title, task.Metric, MetricCatalog.Find(task.Metric)?.HigherIsBetter ?? true, task.LadderMargin, task.LadderParameterFree);
    }

    private async Task<Snapshot> BuildAsync(int taskId, long generation)
    {
        await using var db = await _dbFactory.CreateDbContextAsync();
        var task = await TaskInfoAsync(db, taskId);
        var teams = await db.Teams.AsNoTracking()
            .Where(t => t.CompetitionId == task.CompetitionId && t.DisqualifiedAtUtc == null)
            .Select(t => new TeamInfo(t.Id, t.Name, t.IsBaseline))
            .ToDictionaryAsync(t => t.Id);
        var members = await MembersAsync(db, db.TeamMembers.Where(m => m.CompetitionId == task.CompetitionId));
        var visible = await VisibleAsync(db.Submissions.Where(s => s.TaskId == taskId && !s.IsHidden));
        return new Snapshot(generation, task, Standings(task, teams, members, visible, teams.Keys), _clock);
    }

    // Past this many changed teams one full read is cheaper than a few queries per team.
    private const int FullBuildAbove = 200;

    private async Task<Snapshot> UpdateAsync(Snapshot previous, HashSet<int> dirty, long generation)
    {
        if (dirty.Count == 0)
        {
            return new Snapshot(generation, previous.Task, previous.Teams, _clock);
        }
        if (dirty.Count > FullBuildAbove)
        {
            return await BuildAsync(previous.Task.Id, generation);
        }
        await using var db = await _dbFactory.CreateDbContextAsync();
        var task = await TaskInfoAsync(db, previous.Task.Id);
        var standings = new Dictionary<int, TeamStanding>(previous.Teams);
        // One team at a time: with an equality on the team, each query seeks its few rows in an
        // index, where an IN list lets SQLite choose to scan the whole task.
        foreach (var id in dirty)
        {
            standings.Remove(id);
            var team = await db.Teams.AsNoTracking()
                .Where(t => t.Id == id && t.CompetitionId == task.CompetitionId && t.DisqualifiedAtUtc == null)
                .Select(t => new TeamInfo(t.Id, t.Name, t.IsBaseline))
                .SingleOrDefaultAsync();
            if (team is null)
            {
                continue;
            }
            var members = await MembersAsync(db, db.TeamMembers.Where(m => m.TeamId == id));
            var visible = await VisibleAsync(db.Submissions.Where(s => s.TaskId == task.Id && !s.IsHidden && s.TeamId == id));
            if (Standings(task, new() { [id] = team }, members, visible, [id]).TryGetValue(id, out var standing))
            {
                standings[id] = standing;
            }
        }
        return new Snapshot(generation, task, standings, _clock);
    }

    private static async Task<Dictionary<int, IReadOnlyList<string>>> MembersAsync(ChallengeDbContext db, IQueryable<Teams.TeamMember> query) =>
        (await query.AsNoTracking()
            .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => new { m.TeamId, u.DisplayName, m.JoinedAtUtc })
            .ToListAsync())
        .GroupBy(m => m.TeamId)
        .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.OrderBy(m => m.JoinedAtUtc).Select(m => m.DisplayName).ToList());

    private static Task<List<Visible>> VisibleAsync(IQueryable<Submission> query) =>
        query.AsNoTracking()
            .Select(s => new Visible(s.TeamId, s.Id, s.Status, s.PublicScore, s.PrivateScore, s.PublicLower, s.PublicUpper, s.CreatedAtUtc, s.IsSelected,
                s.StoredFile!.Sha256, s.ScorerVersion, s.SolutionVersion, s.LadderScore, s.LadderMoved))
            .ToListAsync();

    // A team is on the board once it has a scored, visible submission and is not disqualified; its
    // last submission counts every visible one, scored or not.
    private static Dictionary<int, TeamStanding> Standings(TaskInfo task, Dictionary<int, TeamInfo> teams, Dictionary<int, IReadOnlyList<string>> members,
        List<Visible> visible, IEnumerable<int> teamIds)
    {
        var byTeam = visible.GroupBy(s => s.TeamId).ToDictionary(g => g.Key, g => g.ToList());
        var standings = new Dictionary<int, TeamStanding>();
        foreach (var id in teamIds)
        {
            if (!teams.TryGetValue(id, out var team) || !byTeam.TryGetValue(id, out var rows))
            {
                continue;
            }
            var scored = rows.Where(s => s.Status == SubmissionStatus.Scored)
                .Select(s => new Scored(s.Id, s.Public, s.Private, s.Lower, s.Upper, s.CreatedAtUtc, s.IsSelected, s.Sha256, s.ScorerVersion, s.SolutionVersion, s.LadderScore, s.LadderMoved)).ToList();
            if (scored.Count > 0)
            {
                standings[id] = new TeamStanding(team, members.GetValueOrDefault(id) ?? [], scored, rows.Max(s => s.CreatedAtUtc), task.HigherIsBetter, task.LadderMargin, task.ParameterFreeLadder);
            }
        }
        return standings;
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
        // One query per team, each an index seek (see UpdateAsync).
        var points = new List<(int TeamId, DateTime CreatedAtUtc, double Score)>();
        foreach (var teamId in teamIds)
        {
            var scored = await db.Submissions.AsNoTracking()
                .Where(s => s.TaskId == taskId && !s.IsHidden && s.TeamId == teamId && s.Status == SubmissionStatus.Scored && s.PublicScore != null)
                .OrderBy(s => s.CreatedAtUtc).ThenBy(s => s.Id)
                .Select(s => new { s.CreatedAtUtc, Score = s.PublicScore!.Value, s.LadderScore, s.LadderMoved })
                .ToListAsync(cancellationToken);
            // Under the Ladder the chart follows the board: a step for each submission that moved
            // the shown score, at the score shown, never the exact scores the board withholds.
            if (task.LadderParameterFree)
            {
                points.AddRange(scored.Where(p => p.LadderMoved && p.LadderScore is not null).Select(p => (teamId, p.CreatedAtUtc, p.LadderScore!.Value)));
            }
            else if (task.LadderMargin is { } margin)
            {
                var steps = Challenge.Scoring.Significance.Ladder.WithMargin(scored.Select(p => p.Score).ToList(), higherIsBetter, margin);
                points.AddRange(scored.Select((p, i) => (p, steps[i])).Where(x => x.Item2.Updated).Select(x => (teamId, x.p.CreatedAtUtc, x.Item2.Shown)));
            }
            else
            {
                points.AddRange(scored.Select(p => (teamId, p.CreatedAtUtc, p.Score)));
            }
        }
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

    // Every open leaderboard page asks for this after each score, and counting a long history takes
    // a scan of the task's submissions: the chart may lag by up to PerDayMaxAge, and once it is
    // older the page still gets the last counts at once while new ones are counted behind it.
    private static readonly TimeSpan PerDayMaxAge = TimeSpan.FromSeconds(30);

    public Task<IReadOnlyList<DailyCount>> SubmissionsPerDayAsync(int taskId, CancellationToken cancellationToken = default)
    {
        var now = _clock.GetTimestamp();
        var entry = _perDay.AddOrUpdate(taskId,
            id => (now, Task.Run(() => CountPerDayAsync(id)), null),
            (id, existing) => _clock.GetElapsedTime(existing.CountedAt, now) < PerDayMaxAge && !existing.Counts.IsFaulted && !existing.Counts.IsCanceled
                ? existing
                : (now, Task.Run(() => CountPerDayAsync(id)), existing.Counts.IsCompletedSuccessfully ? existing.Counts : existing.Previous));
        return !entry.Counts.IsCompleted && entry.Previous is { } previous ? previous : entry.Counts.WaitAsync(cancellationToken);
    }

    private async Task<IReadOnlyList<DailyCount>> CountPerDayAsync(int taskId)
    {
        var cancellationToken = CancellationToken.None;
        await using var db = await _dbFactory.CreateDbContextAsync(cancellationToken);
        var counts = await db.Submissions.AsNoTracking().Where(s => s.TaskId == taskId && !s.IsBaseline)
            .GroupBy(s => s.QuotaDay).OrderBy(g => g.Key).Select(g => new { Day = g.Key, Submissions = g.Count() })
            .ToListAsync(cancellationToken);
        return [.. counts.Select(c => new DailyCount(SubmissionService.StartOfQuotaDay(c.Day), c.Submissions))];
    }
}
