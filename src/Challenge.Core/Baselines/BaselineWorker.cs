namespace Challenge.Core.Baselines;

// A machine allowed to train baselines, known by a secret token of which only the SHA-256 is
// stored. A worker made by an admin serves every challenge; one made by an organizer serves the
// challenges that organizer manages.
public sealed class BaselineWorker
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public required string Prefix { get; set; }
    public required string Hash { get; set; }
    public required string CreatedById { get; set; }
    public bool AllChallenges { get; set; }
    public DateTime CreatedAtUtc { get; set; }
    public DateTime? LastSeenAtUtc { get; set; }
    public DateTime? RevokedAtUtc { get; set; }

    // What the worker said about itself when it last registered.
    public string? Machine { get; set; }
    public string? Devices { get; set; }
}
