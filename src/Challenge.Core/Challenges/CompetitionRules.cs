using System.Text.RegularExpressions;

namespace Challenge.Core.Challenges;

public static partial class CompetitionRules
{
    public const int SlugMinLength = 3;
    public const int SlugMaxLength = 60;
    public const int TitleMaxLength = 120;
    public const int SubtitleMaxLength = 240;
    public const int OverviewMaxLength = 200_000;

    // Slugs appear in URLs and in the CLI, so keep them to lowercase words joined by hyphens.
    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    public static partial Regex SlugPattern();

    public static string SuggestSlug(string title)
    {
        var lowered = NonSlugCharacters().Replace(title.Trim().ToLowerInvariant(), "-").Trim('-');
        return lowered.Length > SlugMaxLength ? lowered[..SlugMaxLength].TrimEnd('-') : lowered;
    }

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NonSlugCharacters();
}
