using System.Globalization;

namespace Challenge.Web.Components.Shared;

internal static class DateText
{
    public static string Range(DateTime startUtc, DateTime endUtc) =>
        $"{Day(startUtc)} – {Day(endUtc)} (UTC)";

    public static string Day(DateTime utc) => utc.ToString("d MMM yyyy", CultureInfo.InvariantCulture);

    public static string Span(TimeSpan span) => span.TotalDays >= 2
        ? $"{(int)span.TotalDays} days"
        : span.TotalHours >= 2 ? $"{(int)span.TotalHours} hours" : $"{Math.Max(1, (int)span.TotalMinutes)} minutes";
}
