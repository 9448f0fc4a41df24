using System.Collections.Concurrent;
using System.Threading.Channels;
using Challenge.Core.Submissions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Challenge.Core.Scheduling;

// Hands stored submissions to this process's scoring workers. The submission row, committed
// before it gets here, is the durable record: nothing in this queue needs to survive a crash,
// because the sweeper (a Quartz job on the persistent store) queues again whatever was left
// waiting or whose scorer's lease ran out. Queueing costs no database write, so scoring starts
// as soon as a worker is free.
public sealed class ScoringQueue : ISubmissionQueue
{
    private readonly Channel<long> _channel = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleWriter = false, SingleReader = false });
    // Ids waiting in the channel: the sweeper re-queues anything it finds waiting, and a
    // submission that is already waiting here is not queued twice.
    private readonly ConcurrentDictionary<long, byte> _waiting = new();

    public Task EnqueueAsync(long submissionId, CancellationToken cancellationToken = default)
    {
        if (_waiting.TryAdd(submissionId, 0) && !_channel.Writer.TryWrite(submissionId))
        {
            _waiting.TryRemove(submissionId, out _);
        }
        return Task.CompletedTask;
    }

    public int Waiting => _waiting.Count;

    internal async ValueTask<long> TakeAsync(CancellationToken cancellationToken)
    {
        var id = await _channel.Reader.ReadAsync(cancellationToken);
        _waiting.TryRemove(id, out _);
        return id;
    }
}

// As many workers as the machine has cores (at least two), each scoring one submission at a time.
// On shutdown they finish what they are scoring; what is still waiting stays queued in the
// database for the next start.
public sealed class ScoringWorkers(ScoringQueue queue, SubmissionScorer scorer, ILogger<ScoringWorkers> logger) : BackgroundService
{
    public static int Count => Math.Max(2, Environment.ProcessorCount);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, Count).Select(_ => Task.Run(() => WorkAsync(stoppingToken), CancellationToken.None)));

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            long id;
            try
            {
                id = await queue.TakeAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                await scorer.ScoreAsync(id, CancellationToken.None);
            }
            catch (Exception exception)
            {
                // The scorer has put the submission back in the queue or failed it; the sweeper retries.
                logger.LogWarning(exception, "Scoring submission {SubmissionId} ended with an error", id);
            }
        }
    }
}
