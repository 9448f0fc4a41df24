using Bunit;
using Challenge.Web.Components.Shared.Charts;

namespace Challenge.Web.Tests.Components;

public sealed class SvgChartTests : BunitContext
{
    private static readonly DateTime Day = new(2026, 11, 21, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void A_series_of_one_point_still_shows_as_a_marker()
    {
        var chart = Render<SvgChart>(p => p
            .Add(c => c.Dates, true)
            .Add(c => c.Series, [new ChartSeries("Abyssal", [new ChartPoint(Day.AddHours(14).Ticks, 0.6)])]));

        Assert.Single(chart.FindAll(".chart-series circle.marker"));
        Assert.Empty(chart.FindAll(".chart-series polyline"));
        Assert.Contains("Abyssal", chart.Find(".chart-legend").TextContent);
    }

    [Fact]
    public void Passing_the_same_series_again_does_not_draw_the_chart_again_and_new_series_do()
    {
        IReadOnlyList<ChartSeries> series = [new ChartSeries("Abyssal", [new ChartPoint(Day.Ticks, 0.6)])];
        var chart = Render<SvgChart>(p => p.Add(c => c.Dates, true).Add(c => c.Series, series));
        var drawn = chart.RenderCount;

        // A live page passes its parameters again on every push.
        chart.Render(p => p.Add(c => c.Dates, true).Add(c => c.Series, series));
        Assert.Equal(drawn, chart.RenderCount);

        chart.Render(p => p.Add(c => c.Dates, true).Add(c => c.Series, [new ChartSeries("Abyssal", [new ChartPoint(Day.Ticks, 0.6), new ChartPoint(Day.AddDays(1).Ticks, 0.7)])]));
        Assert.Equal(drawn + 1, chart.RenderCount);
        Assert.Equal(2, chart.FindAll(".chart-series circle.marker").Count);
    }

    [Fact]
    public void A_date_axis_shows_about_six_short_dates()
    {
        var points = Enumerable.Range(0, 30).Select(d => new ChartPoint(Day.AddDays(d).Ticks, d)).ToList();

        var chart = Render<SvgChart>(p => p.Add(c => c.Dates, true).Add(c => c.Series, [new ChartSeries("team", points)]));

        var ticks = chart.FindAll(".x-axis .tick-text").Select(t => t.TextContent).ToList();
        Assert.InRange(ticks.Count, 4, 8);
        Assert.All(ticks, t => Assert.Matches(@"^[A-Z][a-z]{2} \d{1,2}$", t));
        Assert.Equal("Nov 21", ticks[0]);
    }

    [Fact]
    public void Loss_and_accuracy_are_measured_on_their_own_axes()
    {
        var chart = Render<SvgChart>(p => p.Add(c => c.Series,
        [
            new ChartSeries("training loss", [new ChartPoint(0, 2.3), new ChartPoint(1, 0.4)]),
            new ChartSeries("validation accuracy", [new ChartPoint(0.5, 0.81), new ChartPoint(1, 0.86)], ChartAxis.Right),
        ]));

        var left = chart.FindAll(".y-axis:not(.right) .tick-text").Select(t => double.Parse(t.TextContent, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var right = chart.FindAll(".y-axis.right .tick-text").Select(t => double.Parse(t.TextContent, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(left.Max() >= 2.3 && left.Min() <= 0.4);
        // The accuracy axis spans the accuracies, not 0 to the loss's 2.3: its change is visible.
        Assert.True(right.Min() >= 0.7 && right.Max() <= 0.9, string.Join(", ", right));
        // Each accuracy point sits on its own axis: the higher accuracy is drawn higher (smaller y).
        var accuracy = chart.FindAll("g.chart-series[data-series='validation accuracy'] circle.marker").Select(c => double.Parse(c.GetAttribute("cy")!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(accuracy[1] < accuracy[0]);
    }

    [Fact]
    public void Bars_start_from_zero_and_one_bar_is_drawn_per_day()
    {
        var days = Enumerable.Range(0, 5).Select(d => new ChartPoint(Day.AddDays(d).Ticks, d + 3)).ToList();

        var chart = Render<SvgChart>(p => p.Add(c => c.Dates, true).Add(c => c.Bars, true).Add(c => c.Series, [new ChartSeries("Submissions", days)]));

        Assert.Equal(5, chart.FindAll("rect.bar").Count);
        Assert.Equal("0", chart.FindAll(".y-axis .tick-text")[0].TextContent);
    }

    [Fact]
    public void Nice_ticks_are_round_numbers_covering_the_range()
    {
        Assert.Equal([0.0, 0.5, 1.0, 1.5, 2.0, 2.5], ChartScale.NiceTicks(0.1, 2.3));
        Assert.Equal([0.81, 0.82, 0.83, 0.84, 0.85, 0.86], ChartScale.NiceTicks(0.81, 0.86).Select(t => Math.Round(t, 6)));
        Assert.Empty(ChartScale.NiceTicks(double.NaN, 1));
        // The top tick covers the highest value even when it lies less than half a step above a tick.
        Assert.Equal([0.0, 0.5, 1.0, 1.5, 2.0, 2.5], ChartScale.NiceTicks(0.1, 2.2));
    }
}
