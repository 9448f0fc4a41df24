using Challenge.Web.Tests.Rankings;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Challenge.Web.Tests.Browser;

public sealed class StabilityBrowserTests(ITestOutputHelper output)
{
    // After the reveal anyone opens the report from the leaderboard: the public-vs-private chart
    // with its diagonal, Kendall's tau, and the rank-interval chart of the private board.
    [BrowserFact]
    public async Task After_the_reveal_the_stability_page_shows_the_rank_chart_and_kendalls_tau()
    {
        await using var site = await StabilityReportTests.SwappedBoardAsync(Challenge.Core.Data.DatabaseProviders.Sqlite, f =>
        {
            f.UseKestrel(0);
            f.StartServer();
        });
        await StabilityReportTests.RevealAsync(site);
        await using var session = await BrowserSession.AttachAsync(site.Factory, output);
        var page = await session.NewPageAsync();

        await page.GotoAsync($"/challenges/{CompetitionSite.Slug}/leaderboard");
        await BrowserSession.WaitForInteractivityAsync(page);
        await page.GetByTestId("stability-link").ClickAsync();
        await BrowserSession.WaitForPathOrExplainAsync(page, $"/challenges/{CompetitionSite.Slug}/stability");

        await Expect(page.GetByTestId("kendall-tau")).ToHaveTextAsync("-1.000");
        var scatter = page.GetByTestId("rank-scatter");
        await Expect(scatter.Locator("svg")).ToBeVisibleAsync();
        await Expect(scatter.Locator("[data-series='Teams'] circle")).ToHaveCountAsync(2);
        await Expect(scatter.Locator("[data-series='Same rank'] polyline")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("rank-interval-chart").Locator("line.range")).ToHaveCountAsync(2);
        await Expect(page.GetByTestId("winner-best")).ToContainTextAsync("%");
        await Expect(page.GetByTestId("stability-table")).ToContainTextAsync("▲1");
    }
}
