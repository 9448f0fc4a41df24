using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Challenge.Web.Tests.Browser;

// Every main page, as an organizer who also takes part, on a 390-pixel phone and on a desktop: the
// page itself never scrolls sideways (wide tables scroll inside their own box), and no page logs a
// script or console error.
public sealed class LayoutBrowserTests(ITestOutputHelper output)
{
    private const string Slug = "eurosat-land-cover";

    private static readonly string[] Pages =
    [
        "/",
        $"/challenges/{Slug}",
        $"/challenges/{Slug}/leaderboard",
        $"/challenges/{Slug}/submit",
        $"/challenges/{Slug}/submissions",
        $"/challenges/{Slug}/manage",
        $"/challenges/{Slug}/data",
        $"/challenges/{Slug}/evaluation",
        $"/challenges/{Slug}/rules",
        $"/challenges/{Slug}/team",
        $"/challenges/{Slug}/discussion",
        $"/challenges/{Slug}/edit",
        "/challenges/new",
        "/organize",
        "/organize/workers",
        "/teams",
        "/admin",
        "/account/tokens",
    ];

    [BrowserFact]
    public async Task The_main_pages_fit_a_phone_and_a_desktop_without_sideways_scroll_or_console_errors()
    {
        await using var session = await BrowserSession.StartAsync(output);
        var errors = new List<string>();
        var context = await session.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = session.BaseUrl,
            ViewportSize = new ViewportSize { Width = 390, Height = 844 },
        });
        context.SetDefaultTimeout(60_000);
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add($"{page.Url}: {message.Text}");
            }
        };
        page.PageError += (_, error) => errors.Add($"{page.Url}: script error {error}");

        // The account pages are static forms (they set cookies): measured before signing in.
        foreach (var path in new[] { "/account/login", "/account/register", "/account/reset-password" })
        {
            await AssertFitsAsync(page, path, 390, interactive: false);
        }

        // The first account administers the site, so it may manage the demo challenge too; it
        // accepts the rules so that its Submit and My submissions tabs show their real content.
        await page.GotoAsync("/account/register");
        await page.FillAsync("#displayName", "Phone Organizer");
        await page.FillAsync("#email", "phone@example.org");
        await page.FillAsync("#password", "correct-horse-1");
        await page.FillAsync("#confirm", "correct-horse-1");
        await page.GetByTestId("register-submit").ClickAsync();
        await Expect(page.GetByTestId("user-name")).ToHaveTextAsync("Phone Organizer");
        await page.GotoAsync($"/challenges/{Slug}/rules");
        await BrowserSession.WaitForInteractivityAsync(page);
        await page.GetByTestId("accept-rules").ClickAsync();
        await Expect(page.GetByTestId("rules-accepted")).ToBeVisibleAsync();

        foreach (var (width, height) in new[] { (390, 844), (1280, 900) })
        {
            await page.SetViewportSizeAsync(width, height);
            foreach (var path in Pages)
            {
                await AssertFitsAsync(page, path, width, interactive: true);
            }
            await AssertFitsAsync(page, "/account/profile", width, interactive: false);
        }

        // The phone layout moves the main links into a drawer behind the menu button.
        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync("/");
        await BrowserSession.WaitForInteractivityAsync(page);
        await page.GetByTestId("menu-button").ClickAsync();
        await Expect(page.Locator(".mud-drawer .drawer-nav").GetByText("My teams")).ToBeVisibleAsync();

        Assert.True(errors.Count == 0, "Console errors:\n" + string.Join("\n", errors));
    }

    private static async Task AssertFitsAsync(IPage page, string path, int width, bool interactive)
    {
        await page.GotoAsync(path);
        if (interactive)
        {
            await BrowserSession.WaitForInteractivityAsync(page);
        }
        await Expect(page.Locator("h1").First).ToBeVisibleAsync();
        // The interactive render replaces the prerendered page and loads its data: measure after it settles.
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await page.WaitForTimeoutAsync(300);
        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        if (overflow > 0)
        {
            // Name the deepest elements that stick out, so a failure says what to fix.
            var culprits = await page.EvaluateAsync<string[]>(@"() => {
                const width = document.documentElement.clientWidth;
                return [...document.querySelectorAll('body *')]
                    .filter(e => e.getBoundingClientRect().right > width + 1 && ![...e.children].some(c => c.getBoundingClientRect().right > width + 1))
                    .slice(0, 8)
                    .map(e => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} right=${Math.round(e.getBoundingClientRect().right)} '${(e.textContent || '').trim().slice(0, 40)}'`);
            }");
            Assert.Fail($"{path} at {width} px wide scrolls sideways by {overflow} px:\n{string.Join("\n", culprits)}");
        }
    }
}
