using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Challenge.Core.Baselines;

// Puts runs of dead workers back in the queue. It runs at a quarter of the lease (at most every
// 30 s) rather than in the 30-second Quartz sweep, so that short leases take effect promptly; every
// change it makes is conditional, so several server instances may run it at once.
internal sealed class BaselineLeaseSweeper(IServiceProvider services, IOptions<BaselineOptions> options, ILogger<BaselineLeaseSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(Math.Clamp(options.Value.LeaseSeconds / 4.0, 1, 30));
        using var timer = new PeriodicTimer(interval);
        var queue = services.GetRequiredService<BaselineQueue>();
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await queue.RequeueExpiredAsync(stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    logger.LogWarning(exception, "Looking for baseline runs of dead workers failed; trying again in {Interval}", interval);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }
}
