using System.Globalization;
using System.Text;
using Challenge.Scoring.Csv;

namespace Challenge.Scoring;

/// <summary>The task's class names in their fixed order, looked up from raw UTF-8 fields.</summary>
internal sealed class ClassSet
{
    private readonly ByteKeyTable _lookup = new();

    public ClassSet(IReadOnlyList<string> names)
    {
        Names = names.ToArray();
        foreach (string name in Names)
        {
            _lookup.Add(Encoding.UTF8.GetBytes(name));
        }
    }

    public string[] Names { get; }

    public int Count => Names.Length;

    public int Find(ReadOnlySpan<byte> name) => _lookup.Find(name);

    public int IndexOfIgnoringCase(string name) =>
        Array.FindIndex(Names, candidate => string.Equals(candidate, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Error text for a class name that is not one of the task's classes.</summary>
    public string DescribeUnknown(string name)
    {
        int caseMatch = IndexOfIgnoringCase(name);
        string hint = caseMatch >= 0 ? $" Class names are case-sensitive: did you mean '{Names[caseMatch]}'?" : "";
        string shown = name.Length > 60 ? name[..57] + "..." : name;
        return $"Unknown class '{shown}'.{hint} Expected one of: {ListForMessage()}.";
    }

    public string ListForMessage()
    {
        const int shown = 12;
        string list = string.Join(", ", Names.Take(shown));
        return Names.Length > shown ? $"{list} (and {Names.Length - shown} more)" : list;
    }

    /// <summary>Numeric order when every name is a number (as pandas would read them), ordinal text order otherwise.</summary>
    public static string[] NaturalOrder(IEnumerable<string> names)
    {
        var list = names.ToList();
        bool allNumeric = list.All(n => double.TryParse(n, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
        if (allNumeric)
        {
            return list.OrderBy(n => double.Parse(n, NumberStyles.Float, CultureInfo.InvariantCulture)).ThenBy(n => n, StringComparer.Ordinal).ToArray();
        }
        return list.OrderBy(n => n, StringComparer.Ordinal).ToArray();
    }
}
