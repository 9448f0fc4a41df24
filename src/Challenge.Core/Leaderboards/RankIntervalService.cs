using System.Collections.Concurrent;
using Challenge.Core.Data;
using Challenge.Core.Files;
using Challenge.Core.Tasks;
using Challenge.Scoring;
using Challenge.Scoring.Significance;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Challenge.Core.Leaderboards;

/// <summary>A team's rank interval on one board, from the paired bootstrap of <see cref="RankIntervals"/>.</summary>
public sealed record TeamRankInterval(int TeamId, int Lower, int Upper, double ProbabilityFirst, int Group, IReadOnlyList<BaselineVerdict> VersusBaselines);

/// <summary>A team against one baseline row, on the same resampled rows.</summary>
public sealed record BaselineVerdict(int BaselineTeamId, string Baseline, double Difference, double Lower, double Upper, double PValue, bool BeatsClearly);

/// <summary>
/// The rank intervals of one board. <see cref="Fingerprint"/> names the submissions they were
/// computed from (team and submission per row), so they are shown only beside the board they belong to.
/// </summary>
public sealed record BoardIntervals(
    int TaskId,
    LeaderboardKind Kind,
    string Fingerprint,
    int Resamples,
    double Confidence,
    bool Recomputed,
    DateTime ComputedAtUtc,
    IReadOnlyDictionary<int, TeamRankInterval> ByTeam);

/// <summary>
/// Computes each board's rank intervals in the background and keeps the last result per board.
/// A board change (announced by the notifier) starts a recomputation for the boards already asked
/// for; a read never waits for one: it gets the intervals of the board it shows, or null while they
/// are computed. The private board's intervals are only ever handed out beside a private board,
/// which its caller obtained through the private board's rule.
/// </summary>
public sealed class RankIntervalService
{
    private readonly IDbContextFactory<ChallengeDbContext> _dbFactory;
    private readonly IFileStore _files;
    private readonly SolutionCache _solutions;
    private readonly LeaderboardService _leaderboards;
    private readonly TimeProvider _clock;
    private readonly ILogger<RankIntervalService> _logger;
    private readonly ConcurrentDictionary<(int TaskId, LeaderboardKind Kind), BoardState> _boards = new();

    public RankIntervalService(IDbContextFactory<ChallengeDbContext> dbFactory, IFileStore files, SolutionCache solutions, LeaderboardService leaderboards,
        ILeaderboardNotifier notifier, TimeProvider clock, ILogger<RankIntervalService> logger)
    {
        _dbFactory = dbFactory;
        _files = files;
        _solutions = solutions;
        _leaderboards = leaderboards;
        _clock = clock;
        _logger = logger;
        notifier.Changed += change =>
        {
            foreach (var kind in new[] { LeaderboardKind.Public, LeaderboardKind.Private })
            {
                if (_boards.TryGetValue((change.TaskId, kind), out var state))
                {
                    Schedule(state);
                }
            }
        };
    }

    /// <summary>Raised (on a background thread) when a board's intervals were computed.</summary>
    public event Action<int, LeaderboardKind>? Computed;

    /// <summary>
    /// The intervals of exactly this board, or null while they are computed (a computation is then
    /// started if none runs) or where the task does not show them.
    /// </summary>
    public BoardIntervals? For(Leaderboard board)
    {
        var state = _boards.GetOrAdd((board.TaskId, board.Kind), key => new BoardState(key.TaskId, key.Kind));
        var latest = state.Latest;
        if (latest is not null && latest.Fingerprint == Fingerprint(board))
        {
            return latest;
        }
        Schedule(state);
        return null;
    }

    /// <summary>Computes the intervals of the board as it is now and waits for them (for reports, tests and benchmarks).</summary>
    public async Task<BoardIntervals?> ComputeNowAsync(int taskId, LeaderboardKind kind, CancellationToken cancellationToken = default)
    {
        var state = _boards.GetOrAdd((taskId, kind), key => new BoardState(key.TaskId, key.Kind));
        var board = await _leaderboards.GetAsync(taskId, kind, cancellationToken);
        if (state.Latest is { } latest && latest.Fingerprint == Fingerprint(board))
        {
            return latest;
        }
        await state.Gate.WaitAsync(cancellationToken);
        try
        {
            board = await _leaderboards.GetAsync(taskId, kind, cancellationToken);
            if (state.Latest is { } current && current.Fingerprint == Fingerprint(board))
            {
                return current;
            }
            state.Latest = await ComputeAsync(state, board, cancellationToken);
        }
        finally
        {
            state.Gate.Release();
        }
        Computed?.Invoke(taskId, kind);
        return state.Latest;
    }

    // Every open board page asks once per board version: the fingerprint is built once per board.
    internal static string Fingerprint(Leaderboard board) => Fingerprints.GetValue(board, b =>
        string.Join(';', b.Rows.Where(r => r.Score is not null).Select(r => $"{r.TeamId}:{r.SubmissionId}:{r.SolutionVersion}:{r.Score:R}")));

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Leaderboard, string> Fingerprints = new();

    // One computation per board at a time; changes that arrive meanwhile run it once more after.
    private void Schedule(BoardState state)
    {
        if (Interlocked.Exchange(ref state.Pending, 1) == 1)
        {
            return;
        }
        _ = Task.Run(async () =>
        {
            await state.Gate.WaitAsync();
            try
            {
                Interlocked.Exchange(ref state.Pending, 0);
                var board = await _leaderboards.GetAsync(state.TaskId, state.Kind);
                if (state.Latest is { } latest && latest.Fingerprint == Fingerprint(board))
                {
                    return;
                }
                state.Latest = await ComputeAsync(state, board, CancellationToken.None);
            }
            catch (Exception exception)
            {
                _logger.LogError(exception, "Rank intervals of task {TaskId} ({Kind} board) could not be computed", state.TaskId, state.Kind);
                return;
            }
            finally
            {
                state.Gate.Release();
            }
            Computed?.Invoke(state.TaskId, state.Kind);
        });
    }

    private async Task<BoardIntervals?> ComputeAsync(BoardState state, Leaderboard board, CancellationToken cancellationToken)
    {
        await using var db = await _dbFactory.CreateDbContextAsync(cancellationToken);
        var task = await db.Tasks.AsNoTracking().SingleAsync(t => t.Id == board.TaskId, cancellationToken);
        var fingerprint = Fingerprint(board);
        var rows = board.Rows.Where(r => r.Score is not null && r.SubmissionId is not null).ToList();
        // Under the Ladder the public board withholds exact scores; its rank intervals would not.
        if (!task.BootstrapEnabled || task.RankResamples < 1 || (board.Kind == LeaderboardKind.Public && task.LadderRule != LadderRule.Off) || task.Family != TaskFamily.Predictions || task.SolutionFileId is null || rows.Count == 0)
        {
            return new BoardIntervals(board.TaskId, board.Kind, fingerprint, 0, 0.95, false, _clock.GetUtcNow().UtcDateTime, new Dictionary<int, TeamRankInterval>());
        }
        var solution = await _solutions.GetAsync(task, cancellationToken);
        // A file never changes once stored: one score reads only the new file, not the whole board's.
        // Only the files of the board last computed are kept, so memory stays one board's worth.
        var readBefore = ReferenceEquals(state.ReadAgainst, solution) ? state.Read : [];
        var ids = rows.Select(r => r.SubmissionId!.Value).Where(id => !readBefore.ContainsKey(id)).ToList();
        var keys = await db.Submissions.AsNoTracking().Where(s => ids.Contains(s.Id))
            .Select(s => new { s.Id, s.StoredFile!.StorageKey }).ToDictionaryAsync(s => s.Id, s => s.StorageKey, cancellationToken);
        var entries = new List<(LeaderboardRow Row, Submission Parsed)>();
        var readNow = new Dictionary<long, Submission>();
        foreach (var row in rows)
        {
            var id = row.SubmissionId!.Value;
            if (!readBefore.TryGetValue(id, out var parsed))
            {
                if (!keys.TryGetValue(id, out var key))
                {
                    continue;
                }
                await using var stream = _files.OpenRead(key);
                parsed = solution.ReadSubmission(stream).Value;
            }
            if (parsed is not null)
            {
                readNow[id] = parsed;
                entries.Add((row, parsed));
            }
        }
        state.ReadAgainst = solution;
        state.Read = readNow;
        var part = board.Kind == LeaderboardKind.Public ? ScorePart.Public : ScorePart.Private;
        // Leaves one core to the requests while a large board is resampled.
        var analysis = await Task.Run(() => RankIntervals.Compute(entries.Select(e => e.Parsed).ToList(), entries.Select(e => e.Row.IsBaseline).ToList(), part,
            task.RankResamples, seed: task.SplitSeed, maxParallelism: Math.Max(1, Environment.ProcessorCount - 1), cancellationToken: cancellationToken), cancellationToken);
        var byTeam = new Dictionary<int, TeamRankInterval>();
        for (int i = 0; i < entries.Count; i++)
        {
            if (analysis.Ranks[i] is not { } rank)
            {
                continue;
            }
            var verdicts = analysis.VersusReferences[i]
                .Select(c => new BaselineVerdict(entries[c.Reference].Row.TeamId, entries[c.Reference].Row.Team, c.Difference, c.Lower, c.Upper, c.PValue, c.BeatsClearly))
                .ToList();
            byTeam[entries[i].Row.TeamId] = new TeamRankInterval(entries[i].Row.TeamId, rank.Lower, rank.Upper, rank.ProbabilityFirst, rank.Group, verdicts);
        }
        return new BoardIntervals(board.TaskId, board.Kind, fingerprint, analysis.Replicates, analysis.Confidence, analysis.Recomputed, _clock.GetUtcNow().UtcDateTime, byTeam);
    }

    private sealed class BoardState(int taskId, LeaderboardKind kind)
    {
        public int TaskId { get; } = taskId;
        public LeaderboardKind Kind { get; } = kind;
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public volatile BoardIntervals? Latest;
        public int Pending;
        // The parsed files of the board last computed, and the solution they were read against.
        public object? ReadAgainst;
        public Dictionary<long, Submission> Read = [];
    }
}
