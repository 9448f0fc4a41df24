using System.Text.Json;
using System.Threading.Channels;
using Challenge.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Challenge.Core.Leaderboards;

// Carries leaderboard changes between nodes that share one PostgreSQL database with LISTEN/NOTIFY.
// A change is delivered to this node's subscribers at once when published here, and to other
// nodes' subscribers when their listening connection hears it; a node ignores its own echo, so
// each subscriber sees a change once.
public sealed class PostgresLeaderboardNotifier : BackgroundService, ILeaderboardNotifier
{
    public const string Channel = "challenge_leaderboard";

    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(10);

    private readonly string _connectionString;
    private readonly IDbContextFactory<ChallengeDbContext> _dbFactory;
    private readonly ILogger<PostgresLeaderboardNotifier> _logger;
    private readonly string _nodeId = Guid.NewGuid().ToString("N");
    private readonly Channel<LeaderboardChange> _outgoing = System.Threading.Channels.Channel.CreateUnbounded<LeaderboardChange>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PostgresLeaderboardNotifier(string connectionString, IDbContextFactory<ChallengeDbContext> dbFactory, ILogger<PostgresLeaderboardNotifier> logger)
    {
        // Keepalives let a listener notice a connection that died silently (server restart, network).
        _connectionString = new NpgsqlConnectionStringBuilder(connectionString) { KeepAlive = 15 }.ToString();
        _dbFactory = dbFactory;
        _logger = logger;
    }

    public event Action<LeaderboardChange>? Changed;

    // Completes once the first LISTEN is in place (tests wait for it before publishing elsewhere).
    public Task Listening => _listening.Task;

    public void Publish(LeaderboardChange change)
    {
        Raise(change);
        _outgoing.Writer.TryWrite(change);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(ListenAsync(stoppingToken), SendAsync(stoppingToken));

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(250);
        var reconnecting = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(_connectionString);
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, e) => OnNotification(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                _listening.TrySetResult();
                if (reconnecting)
                {
                    _logger.LogInformation("Listening for leaderboard changes again");
                    await InvalidateEverythingAsync(stoppingToken);
                }
                delay = TimeSpan.FromMilliseconds(250);
                while (true)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                reconnecting = true;
                _logger.LogWarning(exception, "The leaderboard change listener lost its connection; retrying in {Delay}", delay);
                try
                {
                    await Task.Delay(delay, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }
        }
    }

    private async Task SendAsync(CancellationToken stoppingToken)
    {
        await foreach (var change in _outgoing.Reader.ReadAllAsync(stoppingToken).WithCancellation(stoppingToken))
        {
            var payload = JsonSerializer.Serialize(new Message(_nodeId, change.CompetitionId, change.TaskId, change.TeamId));
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await using var connection = new NpgsqlConnection(_connectionString);
                    await connection.OpenAsync(stoppingToken);
                    await using var notify = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", connection);
                    notify.Parameters.AddWithValue("channel", Channel);
                    notify.Parameters.AddWithValue("payload", payload);
                    await notify.ExecuteNonQueryAsync(stoppingToken);
                    break;
                }
                catch (Exception exception) when (exception is not OperationCanceledException && attempt < 5)
                {
                    _logger.LogWarning(exception, "Could not tell other nodes about a leaderboard change (attempt {Attempt})", attempt);
                    await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    // Other nodes' caches still expire when their next change or reconnect arrives.
                    _logger.LogError(exception, "Gave up telling other nodes about a change of task {TaskId}", change.TaskId);
                    break;
                }
            }
        }
    }

    private void OnNotification(string payload)
    {
        Message? message;
        try
        {
            message = JsonSerializer.Deserialize<Message>(payload);
        }
        catch (JsonException exception)
        {
            _logger.LogWarning(exception, "Ignored a malformed leaderboard notification");
            return;
        }
        if (message is null || message.Node == _nodeId)
        {
            return;
        }
        Raise(new LeaderboardChange(message.CompetitionId, message.TaskId, message.TeamId));
    }

    // Changes made while this node was not listening were missed: every board is refreshed.
    private async Task InvalidateEverythingAsync(CancellationToken cancellationToken)
    {
        await using var db = await _dbFactory.CreateDbContextAsync(cancellationToken);
        var tasks = await db.Tasks.AsNoTracking().Select(t => new { t.CompetitionId, t.Id }).ToListAsync(cancellationToken);
        foreach (var task in tasks)
        {
            Raise(new LeaderboardChange(task.CompetitionId, task.Id, null));
        }
    }

    // Runs on the publisher's thread or the listener's: handlers only mark (see ILeaderboardNotifier),
    // and one failing handler does not keep the change from the others.
    private void Raise(LeaderboardChange change) => LeaderboardSubscribers.Raise(Changed, change, _logger);

    private sealed record Message(string Node, int CompetitionId, int TaskId, int? TeamId);
}
