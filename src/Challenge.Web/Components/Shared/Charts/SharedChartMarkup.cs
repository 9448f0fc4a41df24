using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;

namespace Challenge.Web.Components.Shared.Charts;

/// <summary>
/// A chart drawn once per series list and shared as markup. Thousands of open live boards then each
/// send the same markup when the chart changes, instead of each building and diffing the chart's
/// elements and components (the chart has no events, so markup is all it is).
/// </summary>
public sealed class SharedChartMarkup(IServiceScopeFactory scopes, ILoggerFactory loggers)
{
    private readonly ConditionalWeakTable<IReadOnlyList<ChartSeries>, Task<MarkupString>> _drawn = new();

    /// <summary>The chart of <paramref name="series"/> over dates; one list is always drawn with the same options.</summary>
    public Task<MarkupString> DrawAsync(IReadOnlyList<ChartSeries> series, string title, bool bars, bool showLegend, string testId) =>
        _drawn.GetValue(series, s => DrawOnceAsync(s, title, bars, showLegend, testId));

    private async Task<MarkupString> DrawOnceAsync(IReadOnlyList<ChartSeries> series, string title, bool bars, bool showLegend, string testId)
    {
        // A renderer keeps every component it rendered until it is disposed: one per drawing, in a
        // scope of its own (the renderer asks for scoped services).
        await using var scope = scopes.CreateAsyncScope();
        await using var renderer = new HtmlRenderer(scope.ServiceProvider, loggers);
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var output = await renderer.RenderComponentAsync<SvgChart>(ParameterView.FromDictionary(new Dictionary<string, object?>
            {
                [nameof(SvgChart.Series)] = series,
                [nameof(SvgChart.Title)] = title,
                [nameof(SvgChart.Dates)] = true,
                [nameof(SvgChart.Bars)] = bars,
                [nameof(SvgChart.ShowLegend)] = showLegend,
                ["data-testid"] = testId,
            }));
            return new MarkupString(output.ToHtmlString());
        });
    }
}
