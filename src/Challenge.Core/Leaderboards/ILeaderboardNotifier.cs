namespace Challenge.Core.Leaderboards;

public sealed record LeaderboardChange(int CompetitionId, int TaskId, int? TeamId);

// Open leaderboard pages subscribe here; a multi-node deployment replaces the in-process
// implementation with one that crosses nodes.
public interface ILeaderboardNotifier
{
    event Action<LeaderboardChange>? Changed;

    void Publish(LeaderboardChange change);
}

public sealed class InProcessLeaderboardNotifier : ILeaderboardNotifier
{
    public event Action<LeaderboardChange>? Changed;

    public void Publish(LeaderboardChange change) => Changed?.Invoke(change);
}
