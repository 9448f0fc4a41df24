namespace Challenge.Core.Teams;

public static class TeamRules
{
    public const int NameMaxLength = 64;

    public const string InvisibleCharactersMessage = "A team name may not contain invisible or control characters (line breaks, tabs, text-direction marks).";
}
