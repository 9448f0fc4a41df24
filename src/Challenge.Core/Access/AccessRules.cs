using Microsoft.AspNetCore.Authorization;

namespace Challenge.Core.Access;

/// <summary>One rule of who may do what with a challenge's resources; its name reads in a refusal ("may not {Name}").</summary>
public sealed class AccessRule(string name) : IAuthorizationRequirement
{
    public string Name { get; } = name;

    public override string ToString() => Name;
}

/// <summary>
/// Every access rule of the product, each decided by one handler in this folder. Pages, endpoints
/// and the services that return private data all ask <see cref="IAuthorizationService"/> with one of
/// these and the resource it is about, so a rule lives in exactly one place.
/// </summary>
public static class AccessRules
{
    /// <summary>Resource: a <see cref="Challenges.Competition"/>. Admins, its owner and its co-organizers (holding the Organizer role).</summary>
    public static readonly AccessRule ManageChallenge = new("manage this challenge");

    /// <summary>Resource: a <see cref="Challenges.Competition"/>. Its managers, and everyone once the private board is revealed.</summary>
    public static readonly AccessRule SeePrivateBoard = new("see the private leaderboard");

    /// <summary>Resource: a <see cref="Challenges.Competition"/>. Its managers; after the end, also those who may download its data (to see their errors against the gold).</summary>
    public static readonly AccessRule SeeGold = new("see the gold annotations");

    /// <summary>Resource: a <see cref="Challenges.Competition"/>. Signed-in people who accepted its rules, and its managers.</summary>
    public static readonly AccessRule DownloadData = new("download this challenge's data");

    /// <summary>Resource: a <see cref="Submissions.Submission"/>. Members of the team that made it, and the challenge's managers.</summary>
    public static readonly AccessRule ReadSubmission = new("read this submission");
}
