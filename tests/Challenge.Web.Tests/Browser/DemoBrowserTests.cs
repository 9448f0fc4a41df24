using Challenge.Core.Demo;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Challenge.Web.Tests.Browser;

// What a newcomer sees on the first start: the home page introduces the four demo cases, and every
// leaderboard of each (all tasks) shows generated teams with scores.
public sealed class DemoBrowserTests(ITestOutputHelper output)
{
    [BrowserFact]
    public async Task Each_demo_challenge_opens_on_a_leaderboard_with_teams()
    {
        await using var session = await BrowserSession.StartAsync(output);
        var page = await session.NewPageAsync();

        await page.GotoAsync("/");
        var intro = page.GetByTestId("demo-intro");
        foreach (var (_, name, _) in DemoSeeder.Introductions)
        {
            await Expect(intro).ToContainTextAsync(name);
        }

        await page.GotoAsync($"/challenges/{DemoSeeder.PlanktonSlug}/evaluation");
        await Expect(page.Locator("article.markdown")).ToContainTextAsync("Why a logarithm?");
        await page.GotoAsync($"/challenges/{DemoSeeder.DemoSlug}/rules");
        await Expect(page.Locator("article.markdown")).ToContainTextAsync("not for training");

        foreach (var slug in DemoSeeder.Slugs)
        {
            await page.GotoAsync($"/challenges/{slug}");
            await Expect(page.GetByTestId("challenge-overview")).ToContainTextAsync("generated");
            foreach (var tab in new[] { "data", "evaluation", "rules" })
            {
                await page.GotoAsync($"/challenges/{slug}/{tab}");
                await Expect(page.Locator("article.markdown")).ToContainTextAsync("data of this demo copy is generated");
            }

            await page.GotoAsync($"/challenges/{slug}/leaderboard");
            var board = page.GetByTestId("leaderboard");
            await Expect(board).ToBeVisibleAsync();
            // Tasks beyond the first are chips above the board; each has its own teams.
            var taskChips = page.Locator(".board-controls button.chip:not([data-testid])");
            var tasks = Math.Max(1, await taskChips.CountAsync());
            for (var t = 0; t < tasks; t++)
            {
                if (t > 0)
                {
                    await taskChips.Nth(t).ClickAsync();
                    await Expect(taskChips.Nth(t)).ToHaveClassAsync("chip active");
                }
                await Expect(board.GetByTestId("team-cell").First).ToBeVisibleAsync();
                Assert.True(await board.GetByTestId("team-cell").CountAsync() >= 4, $"{slug}, task {t + 1}: fewer than four teams");
                await Expect(board.GetByTestId("score-cell").First).Not.ToBeEmptyAsync();
                if (Environment.GetEnvironmentVariable("DEMO_SCREENSHOTS") is { Length: > 0 } folder)
                {
                    await page.ScreenshotAsync(new() { Path = Path.Combine(folder, $"{slug}-{t + 1}.png"), FullPage = true });
                }
            }
        }
    }
}
