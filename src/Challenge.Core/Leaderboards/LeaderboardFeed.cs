using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Challenge.Core.Leaderboards;

/// <summary>
/// One version of a task's live board, built once and shared by every open page: both boards from
/// the same moment (the private one is only ever shown to those who may see it), and the charts'
/// data, which <see cref="LeaderboardFeed"/> rebuilds at most every <see cref="LeaderboardFeed.ChartInterval"/>
/// (the same list instances until then, so a page can tell the charts did not change).
/// </summary>
public sealed class LiveBoard
{
    private readonly Func<LeaderboardKind, Leaderboard, Task<IReadOnlyList<ProgressionSeries>>> _progression;
    private readonly ConcurrentDictionary<LeaderboardKind, Lazy<Task<IReadOnlyList<ProgressionSeries>>>> _progressions = new();

    internal LiveBoard(long version, Leaderboard publicBoard, Leaderboard privateBoard, IReadOnlyList<DailyCount> perDay,
        Task<IReadOnlyList<ProgressionSeries>> publicProgression, Func<LeaderboardKind, Leaderboard, Task<IReadOnlyList<ProgressionSeries>>> progression)
    {
        Version = version;
        Public = publicBoard;
        Private = privateBoard;
        PerDay = perDay;
        _progression = progression;
        _progressions[LeaderboardKind.Public] = new Lazy<Task<IReadOnlyList<ProgressionSeries>>>(publicProgression);
    }

    /// <summary>Rises with every version of the task's board; a page never shows a lower one after a higher one.</summary>
    public long Version { get; }
    public int TaskId => Public.TaskId;
    public Leaderboard Public { get; }
    public Leaderboard Private { get; }
    public IReadOnlyList<DailyCount> PerDay { get; }

    public Leaderboard Board(LeaderboardKind kind) => kind == LeaderboardKind.Private ? Private : Public;

    /// <summary>The best public score over time of the board's top five teams, computed once per chart version and kind.</summary>
    public Task<IReadOnlyList<ProgressionSeries>> ProgressionAsync(LeaderboardKind kind) =>
        _progressions.GetOrAdd(kind, k => new Lazy<Task<IReadOnlyList<ProgressionSeries>>>(() => _progression(k, Board(k)))).Value;

    internal LiveBoard WithBoards(long version, Leaderboard publicBoard, Leaderboard privateBoard)
    {
        var next = new LiveBoard(version, publicBoard, privateBoard, PerDay, ProgressionAsync(LeaderboardKind.Public), _progression);
        // Charts kept from this version stay the same instances, so pages need not redraw them.
        foreach (var (kind, lazy) in _progressions)
        {
            next._progressions[kind] = lazy;
        }
        return next;
    }

    internal static IReadOnlyList<int> TopTeams(Leaderboard board) =>
        [.. board.Rows.Where(r => r.Score is not null && !r.IsBaseline).Take(5).Select(r => r.TeamId)];
}

/// <summary>
/// Live boards for open pages. A change announced by <see cref="ILeaderboardNotifier"/> only marks
/// the task and wakes one pump per task, so whoever announced it (the scoring worker) never waits
/// for viewers. The pump builds the next version once, for every viewer: changes landing within
/// <see cref="CoalesceWindow"/> of the last version go out together, and the charts' data is rebuilt
/// at most every <see cref="ChartInterval"/> (with a last rebuild after the burst). Each subscriber
/// holds only the newest version it has not been handed yet and is called on the thread pool, so
/// a slow page skips versions instead of queueing them or holding up the others.
/// </summary>
public sealed class LeaderboardFeed : IDisposable
{
    public static readonly TimeSpan CoalesceWindow = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan ChartInterval = TimeSpan.FromSeconds(3);

    private readonly LeaderboardService _boards;
    private readonly ILeaderboardNotifier _notifier;
    private readonly ILogger<LeaderboardFeed> _logger;
    private readonly ConcurrentDictionary<int, TaskFeed> _tasks = new();

    // The windows are real time on purpose (not the app's TimeProvider): they pace work, not business rules.
    public LeaderboardFeed(LeaderboardService boards, ILeaderboardNotifier notifier, ILogger<LeaderboardFeed> logger)
    {
        _boards = boards;
        _notifier = notifier;
        _logger = logger;
        _notifier.Changed += OnChanged;
    }

    /// <summary>The newest version of the task's board (built now when none is current).</summary>
    public async Task<LiveBoard> CurrentAsync(int taskId, CancellationToken cancellationToken = default)
    {
        var feed = Feed(taskId);
        Task<LiveBoard> next;
        lock (feed)
        {
            if (feed.Current is { } current && !feed.BoardDirty)
            {
                return current;
            }
            next = (feed.Waiting ??= new TaskCompletionSource<LiveBoard>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            Wake(feed);
        }
        return await next.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Calls <paramref name="onUpdate"/> on the thread pool with each newer version of the task's
    /// board, skipping versions the subscriber had no time for; never a lower version after a
    /// higher one. Dispose the result to stop.
    /// </summary>
    public IDisposable Subscribe(int taskId, Action<LiveBoard> onUpdate)
    {
        var feed = Feed(taskId);
        var subscriber = new Subscriber(feed, onUpdate, _logger);
        lock (feed)
        {
            feed.Subscribers = [.. feed.Subscribers, subscriber];
            if (feed.BoardDirty)
            {
                Wake(feed);
            }
        }
        return subscriber;
    }

    public void Dispose() => _notifier.Changed -= OnChanged;

    private TaskFeed Feed(int taskId) => _tasks.GetOrAdd(taskId, id => new TaskFeed(id));

    // Runs on the publisher's thread: only marks and wakes.
    private void OnChanged(LeaderboardChange change)
    {
        if (!_tasks.TryGetValue(change.TaskId, out var feed))
        {
            return;
        }
        lock (feed)
        {
            feed.BoardDirty = true;
            if (feed.Subscribers.Length > 0 || feed.Waiting is not null)
            {
                Wake(feed);
            }
        }
    }

    // Caller holds the feed's lock.
    private void Wake(TaskFeed feed)
    {
        if (!feed.Pumping)
        {
            feed.Pumping = true;
            _ = Task.Run(() => PumpAsync(feed));
        }
    }

    private async Task PumpAsync(TaskFeed feed)
    {
        while (true)
        {
            bool chartsDue;
            TimeSpan wait;
            lock (feed)
            {
                var idle = feed.Subscribers.Length == 0 && feed.Waiting is null;
                if (idle || (!feed.BoardDirty && !feed.ChartsStale))
                {
                    feed.Pumping = false;
                    return;
                }
                var sinceBoard = Stopwatch.GetElapsedTime(feed.PublishedAt);
                var sinceCharts = Stopwatch.GetElapsedTime(feed.ChartsAt);
                chartsDue = feed.Current is null || sinceCharts >= ChartInterval;
                wait = feed.BoardDirty || feed.Current is null
                    ? (feed.Current is null ? TimeSpan.Zero : CoalesceWindow - sinceBoard)
                    : ChartInterval - sinceCharts;
            }
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
                continue;
            }
            LiveBoard built;
            try
            {
                built = await BuildAsync(feed, chartsDue);
            }
            catch (Exception exception)
            {
                // The board stays marked: the next change or page load tries again.
                _logger.LogError(exception, "Building the live board of task {TaskId} failed", feed.TaskId);
                TaskCompletionSource<LiveBoard>? waiting;
                lock (feed)
                {
                    feed.Pumping = false;
                    waiting = feed.Waiting;
                    feed.Waiting = null;
                }
                waiting?.TrySetException(exception);
                return;
            }
            Publish(feed, built);
        }
    }

    private async Task<LiveBoard> BuildAsync(TaskFeed feed, bool chartsDue)
    {
        LiveBoard? previous;
        lock (feed)
        {
            previous = feed.Current;
            // A change announced from here on is not necessarily in this version: it marks the board again.
            feed.BoardDirty = false;
        }
        try
        {
            var version = (previous?.Version ?? 0) + 1;
            var publicBoard = await _boards.GetAsync(feed.TaskId, LeaderboardKind.Public);
            var privateBoard = await _boards.GetAsync(feed.TaskId, LeaderboardKind.Private);
            if (previous is not null && !chartsDue)
            {
                lock (feed)
                {
                    feed.ChartsStale = true;
                }
                return previous.WithBoards(version, publicBoard, privateBoard);
            }
            lock (feed)
            {
                feed.ChartsStale = false;
                feed.ChartsAt = Stopwatch.GetTimestamp();
            }
            var perDay = await _boards.SubmissionsPerDayAsync(feed.TaskId);
            var publicProgression = await ProgressionAsync(feed.TaskId, publicBoard);
            return new LiveBoard(version, publicBoard, privateBoard, perDay, Task.FromResult(publicProgression), (_, board) => ProgressionAsync(feed.TaskId, board));
        }
        catch
        {
            lock (feed)
            {
                feed.BoardDirty = true;
            }
            throw;
        }
    }

    private Task<IReadOnlyList<ProgressionSeries>> ProgressionAsync(int taskId, Leaderboard board) =>
        _boards.ProgressionAsync(taskId, LiveBoard.TopTeams(board));

    private void Publish(TaskFeed feed, LiveBoard built)
    {
        Subscriber[] subscribers;
        TaskCompletionSource<LiveBoard>? waiting;
        lock (feed)
        {
            feed.Current = built;
            feed.PublishedAt = Stopwatch.GetTimestamp();
            subscribers = feed.Subscribers;
            waiting = feed.Waiting;
            feed.Waiting = null;
        }
        waiting?.TrySetResult(built);
        foreach (var subscriber in subscribers)
        {
            subscriber.Offer(built);
        }
    }

    private sealed class TaskFeed(int taskId)
    {
        public int TaskId { get; } = taskId;
        public LiveBoard? Current;
        public bool BoardDirty = true;
        public bool ChartsStale;
        public bool Pumping;
        public long PublishedAt;
        public long ChartsAt;
        public Subscriber[] Subscribers = [];
        // Page loads waiting for the next version; null when none does.
        public TaskCompletionSource<LiveBoard>? Waiting;

        public void Remove(Subscriber subscriber)
        {
            lock (this)
            {
                Subscribers = [.. Subscribers.Where(s => s != subscriber)];
            }
        }
    }

    private sealed class Subscriber(TaskFeed feed, Action<LiveBoard> onUpdate, ILogger logger) : IDisposable, IThreadPoolWorkItem
    {
        private LiveBoard? _pending;
        private long _handed;
        private int _scheduled;
        private volatile bool _disposed;

        public void Offer(LiveBoard board)
        {
            // Keep the newest; an older one offered late (there is one pump per task, so only on a
            // race with a newer offer) is dropped.
            LiveBoard? seen;
            do
            {
                seen = Volatile.Read(ref _pending);
                if (seen is not null && seen.Version >= board.Version)
                {
                    return;
                }
            }
            while (Interlocked.CompareExchange(ref _pending, board, seen) != seen);
            if (Interlocked.Exchange(ref _scheduled, 1) == 0)
            {
                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
            }
        }

        // One call at a time per subscriber, each with the newest version offered so far.
        public void Execute()
        {
            while (true)
            {
                var board = Interlocked.Exchange(ref _pending, null);
                if (board is not null && !_disposed && board.Version > _handed)
                {
                    _handed = board.Version;
                    try
                    {
                        onUpdate(board);
                    }
                    catch (Exception exception)
                    {
                        logger.LogError(exception, "A live leaderboard subscriber failed on version {Version} of task {TaskId}", board.Version, board.TaskId);
                    }
                }
                Volatile.Write(ref _scheduled, 0);
                if (Volatile.Read(ref _pending) is null || Interlocked.Exchange(ref _scheduled, 1) != 0)
                {
                    return;
                }
            }
        }

        public void Dispose()
        {
            _disposed = true;
            feed.Remove(this);
        }
    }
}
