using System.Globalization;

namespace Challenge.Scoring;

/// <summary>
/// The text forms of a task's settings that organizers type (in the CLI or a form): a taxonomy as
/// <c>child=parent</c> pairs and an image size as <c>WIDTHxHEIGHT</c>. Messages name the entry at fault.
/// </summary>
public static class TaskOptionText
{
    /// <summary>Pairs separated by commas, semicolons or lines; null with <paramref name="problem"/> set when an entry does not read.</summary>
    public static Dictionary<string, string>? ParseClassParents(string text, out string? problem)
    {
        problem = null;
        var parents = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in text.Split([',', ';', '\n'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var sides = pair.Split('=', 2, StringSplitOptions.TrimEntries);
            if (sides.Length != 2 || sides[0].Length == 0 || sides[1].Length == 0)
            {
                problem = $"'{pair}' is not of the form child=parent.";
                return null;
            }
            if (!parents.TryAdd(sides[0], sides[1]))
            {
                problem = $"'{sides[0]}' has two parents.";
                return null;
            }
        }
        return parents;
    }

    /// <summary>Reads <c>1600x256</c> (or <c>1600X256</c>) as two positive pixel counts.</summary>
    public static bool TryParseImageSize(string text, out int width, out int height)
    {
        width = height = 0;
        var parts = text.Trim().Split('x', 'X');
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out width)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out height)
            && width > 0 && height > 0;
    }
}
