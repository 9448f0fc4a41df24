namespace Challenge.Core.Teams;

public sealed class Team
{
    public int Id { get; set; }
    public int CompetitionId { get; set; }
    public required string Name { get; set; }
    public required string InviteCode { get; set; }
    public DateTime CreatedAtUtc { get; set; }

    // Reference baselines submit as a team of their own, shown on the board but never ranked.
    public bool IsBaseline { get; set; }

    public DateTime? DisqualifiedAtUtc { get; set; }
    public string? DisqualificationReason { get; set; }

    public List<TeamMember> Members { get; set; } = [];
}

public sealed class TeamMember
{
    public int TeamId { get; set; }
    public int CompetitionId { get; set; }
    public required string UserId { get; set; }
    public DateTime JoinedAtUtc { get; set; }
}

// A person's acceptance of a challenge's rules, required before joining a team.
public sealed class Participation
{
    public int CompetitionId { get; set; }
    public required string UserId { get; set; }
    public DateTime AcceptedRulesAtUtc { get; set; }
}
