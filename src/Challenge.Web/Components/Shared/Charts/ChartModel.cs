using System.Globalization;

namespace Challenge.Web.Components.Shared.Charts;

/// <summary>One point of a series; <see cref="X"/> is a number, or a time as <see cref="DateTime.Ticks"/>.</summary>
public readonly record struct ChartPoint(double X, double Y);

/// <summary>Which vertical axis a series is measured on: two quantities of different ranges (loss and accuracy) each get their own.</summary>
public enum ChartAxis { Left, Right }

/// <summary>A vertical segment from <see cref="Low"/> to <see cref="High"/> at <see cref="X"/> (an interval around a point).</summary>
public readonly record struct ChartRange(double X, double Low, double High);

/// <summary>A named series: a line through its points, or only markers (a scatter), with optional vertical ranges.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<ChartPoint> Points, ChartAxis Axis = ChartAxis.Left, bool PointsOnly = false, IReadOnlyList<ChartRange>? Ranges = null);

/// <summary>Axis arithmetic for the site's SVG charts: round tick values and short labels.</summary>
public static class ChartScale
{
    /// <summary>
    /// About <paramref name="target"/> ticks at 1, 2 or 5 times a power of ten covering [min, max]
    /// (Heckbert, "Nice numbers for graph labels", Graphics Gems, 1990).
    /// </summary>
    public static IReadOnlyList<double> NiceTicks(double min, double max, int target = 5)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max))
        {
            return [];
        }
        if (max - min < 1e-12)
        {
            var pad = Math.Abs(min) > 1e-12 ? Math.Abs(min) * 0.1 : 1;
            (min, max) = (min - pad, max + pad);
        }
        var step = NiceStep((max - min) / Math.Max(1, target));
        var first = Math.Floor(min / step) * step;
        var ticks = new List<double>();
        // Up to the first tick at or above max: the axis must cover every point, or the highest ones
        // are drawn outside the plot.
        for (var value = first; ticks.Count < 50; value += step)
        {
            ticks.Add(Math.Round(value / step) * step);
            if (ticks[^1] >= max - step * 1e-9)
            {
                break;
            }
        }
        return ticks;
    }

    /// <summary>Whole days between ticks so a date axis shows about six labels.</summary>
    public static IReadOnlyList<double> DayTicks(double minTicks, double maxTicks)
    {
        var first = new DateTime((long)minTicks).Date;
        var last = new DateTime((long)maxTicks);
        var step = Math.Max(1, (int)Math.Ceiling((last - first).TotalDays / 6));
        var ticks = new List<double>();
        for (var day = first; day <= last; day = day.AddDays(step))
        {
            ticks.Add(day.Ticks);
        }
        return ticks;
    }

    public static string ShortDate(double ticks) => new DateTime((long)ticks).ToString("MMM d", CultureInfo.InvariantCulture);

    public static string Number(double value) => value.ToString(Math.Abs(value) >= 1000 ? "0" : "0.###", CultureInfo.InvariantCulture);

    private static double NiceStep(double rough)
    {
        var power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var fraction = rough / power;
        return power * (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10);
    }
}
