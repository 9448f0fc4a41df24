using Challenge.Core.Data;
using Challenge.Web.Components.Shared.Charts;

namespace Challenge.Web.Tests.Components;

// Thousands of open boards show one chart: it is drawn once per data version, and every page is
// handed that same markup, which is the chart component's own.
public sealed class SharedChartMarkupTests
{
    [Fact]
    public async Task A_chart_is_drawn_once_per_series_list_and_is_the_chart_components_markup()
    {
        await using var site = await CompetitionSite.StartAsync(provider: DatabaseProviders.Sqlite);
        var charts = site.Get<SharedChartMarkup>();
        var day = new DateTime(2026, 11, 21, 0, 0, 0, DateTimeKind.Utc);
        IReadOnlyList<ChartSeries> series = [new ChartSeries("Abyssal", [new ChartPoint(day.Ticks, 0.6), new ChartPoint(day.AddDays(1).Ticks, 0.7)])];

        var first = await charts.DrawAsync(series, "Best public score over time (top teams)", bars: false, showLegend: true, "progress-chart");
        var again = await charts.DrawAsync(series, "Best public score over time (top teams)", bars: false, showLegend: true, "progress-chart");
        IReadOnlyList<ChartSeries> next = [new ChartSeries("Abyssal", [new ChartPoint(day.Ticks, 0.6), new ChartPoint(day.AddDays(1).Ticks, 0.8)])];
        var changed = await charts.DrawAsync(next, "Best public score over time (top teams)", bars: false, showLegend: true, "progress-chart");

        Assert.Same(first.Value, again.Value);
        Assert.NotEqual(first.Value, changed.Value);
        Assert.Contains("data-testid=\"progress-chart\"", first.Value);
        Assert.Contains("Best public score over time (top teams)", first.Value);
        Assert.Contains("Abyssal", first.Value);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Count(first.Value, "class=\"marker"));
    }
}
