using System.Globalization;

namespace Challenge.Web.Components.Shared;

internal static class Score
{
    public static string Format(double? value) => value is { } v ? v.ToString("0.00000", CultureInfo.InvariantCulture) : "—";
}
