using Challenge.Core.Challenges;
using Challenge.Core.Tasks;

namespace Challenge.Core.Bundles;

/// <summary>What a bundle asks for, read but not yet checked against the services' rules or stored.</summary>
internal sealed class BundlePlan(BundleYaml manifest)
{
    public BundleYaml Manifest { get; } = manifest;
    public CompetitionInput Challenge { get; } = new();
    public List<PlannedTask> Tasks { get; } = [];
    public List<PlannedData> Data { get; } = [];

    /// <summary>What the bundle holds that this server does not carry over, said to the organizer.</summary>
    public List<string> Notes { get; } = [];

    /// <summary>The manifest key of each challenge field, for the services' field errors.</summary>
    public Dictionary<string, string> ChallengeKeys { get; } = new(StringComparer.Ordinal);
}

/// <param name="Key">The task's place in the manifest, as "tasks[0]".</param>
/// <param name="Solution">The hidden solution: the bundle file it came from and its bytes.</param>
internal sealed record PlannedTask(TaskSettings Settings, string Key, string? SolutionKey, BundleFile? Solution);

internal sealed record PlannedData(string Name, string Description, string Key, BundleFile File);

internal sealed record BundleFile(string Path, byte[] Content);
