using System.Globalization;

namespace Challenge.Web.Bench;

// Nearest-rank percentiles over milliseconds; exact enough for the few hundred samples a run takes.
internal sealed record Summary(int Count, double Median, double P95, double P99, double Max, double Mean)
{
    public static Summary Of(IReadOnlyCollection<double> samples)
    {
        if (samples.Count == 0)
        {
            return new Summary(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        }
        var sorted = samples.Order().ToArray();
        return new Summary(sorted.Length, Rank(sorted, 0.50), Rank(sorted, 0.95), Rank(sorted, 0.99), sorted[^1], sorted.Average());
    }

    private static double Rank(double[] sorted, double quantile) =>
        sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Length) - 1, 0, sorted.Length - 1)];
}

internal static class Table
{
    public static string Ms(double value) => double.IsNaN(value) ? "-" : value.ToString(value < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture);

    public static void Print(string title, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = rows.Prepend(header).ToList();
        var widths = Enumerable.Range(0, header.Count).Select(c => all.Max(r => c < r.Count ? r[c].Length : 0)).ToArray();
        Console.WriteLine();
        Console.WriteLine(title);
        for (var i = 0; i < all.Count; i++)
        {
            Console.WriteLine(string.Join("  ", all[i].Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))));
            if (i == 0)
            {
                Console.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
            }
        }
    }

    public static IReadOnlyList<string> SummaryRow(string label, Summary s, string extra = "") =>
        [label, s.Count.ToString(CultureInfo.InvariantCulture), Ms(s.Median), Ms(s.P95), Ms(s.P99), Ms(s.Max), Ms(s.Mean), extra];

    public static readonly IReadOnlyList<string> SummaryHeader = ["measure (ms)", "n", "median", "p95", "p99", "max", "mean", "note"];

    public static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Trim();
        }
        catch (IOException)
        {
            return "n/a";
        }
        catch (UnauthorizedAccessException)
        {
            return "n/a";
        }
    }
}
