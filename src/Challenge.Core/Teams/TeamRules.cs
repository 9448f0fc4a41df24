namespace Challenge.Core.Teams;

public static class TeamRules
{
    public const int NameMaxLength = 64;
}
