using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Challenge.Core.Leaderboards;

public sealed record LeaderboardChange(int CompetitionId, int TaskId, int? TeamId);

// A multi-node deployment replaces the in-process implementation with one that crosses nodes.
// Changed runs on the publisher's thread (often the scoring worker), so that a board read right
// after a change sees it: its handlers must only mark what changed and return. Open pages follow
// LeaderboardFeed, which hands each version to them off that thread.
public interface ILeaderboardNotifier
{
    event Action<LeaderboardChange>? Changed;

    void Publish(LeaderboardChange change);
}

public sealed class InProcessLeaderboardNotifier(ILogger<InProcessLeaderboardNotifier>? logger = null) : ILeaderboardNotifier
{
    private readonly ILogger _logger = logger ?? NullLogger<InProcessLeaderboardNotifier>.Instance;

    public event Action<LeaderboardChange>? Changed;

    public void Publish(LeaderboardChange change) => LeaderboardSubscribers.Raise(Changed, change, _logger);
}

internal static class LeaderboardSubscribers
{
    // One failing handler must neither fail the publisher (a scored submission is saved) nor keep
    // the change from the others.
    public static void Raise(Action<LeaderboardChange>? handlers, LeaderboardChange change, ILogger logger)
    {
        if (handlers is null)
        {
            return;
        }
        foreach (var handler in handlers.GetInvocationList())
        {
            try
            {
                ((Action<LeaderboardChange>)handler)(change);
            }
            catch (Exception exception)
            {
                logger.LogError(exception, "A leaderboard subscriber failed on a change of task {TaskId}", change.TaskId);
            }
        }
    }
}
