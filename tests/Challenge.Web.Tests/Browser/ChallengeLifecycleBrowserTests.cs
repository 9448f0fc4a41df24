using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Challenge.Web.Tests.Browser;

public sealed class ChallengeLifecycleBrowserTests(ITestOutputHelper output)
{
    [BrowserFact]
    public async Task The_first_user_registers_logs_in_creates_a_challenge_and_sees_it_listed()
    {
        await using var session = await BrowserSession.StartAsync(output);
        var page = await session.NewPageAsync();

        // Register: the first account on the empty database becomes the Admin.
        await page.GotoAsync("/account/register");
        await page.FillAsync("#displayName", "Ada");
        await page.FillAsync("#email", "ada@example.org");
        await page.FillAsync("#password", "correct-horse-1");
        await page.FillAsync("#confirm", "correct-horse-1");
        await page.GetByTestId("register-submit").ClickAsync();
        await Expect(page.GetByTestId("user-name")).ToHaveTextAsync("Ada");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Admin" })).ToBeVisibleAsync();

        // Log out, then log in again.
        await page.GetByRole(AriaRole.Button, new() { Name = "Log out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Log in" })).ToBeVisibleAsync();
        await page.GotoAsync("/account/login?returnUrl=%2Fchallenges%2Fnew");
        await page.FillAsync("#email", "ada@example.org");
        await page.FillAsync("#password", "correct-horse-1");
        await page.GetByTestId("login-submit").ClickAsync();
        await BrowserSession.WaitForPathOrExplainAsync(page, "/challenges/new");
        await BrowserSession.WaitForInteractivityAsync(page);

        // An empty title is refused next to the field.
        await page.FillAsync("#title", "");
        await page.GetByTestId("save-challenge").ClickAsync();
        await Expect(page.GetByTestId("error-Title")).ToHaveTextAsync("Enter a title.");

        // The slug follows the title as it is typed: only an interactive circuit does that.
        await page.FillAsync("#title", "Plankton Bowl 2026");
        await page.PressAsync("#title", "Tab");
        await Expect(page.Locator("#slug")).ToHaveValueAsync("plankton-bowl-2026");

        // An end before the start is refused next to the end date.
        await page.FillAsync("#starts", "2026-03-01T00:00");
        await page.FillAsync("#ends", "2026-02-01T00:00");
        await page.GetByTestId("save-challenge").ClickAsync();
        await Expect(page.GetByTestId("error-EndsAtUtc")).ToHaveTextAsync("The end must come after the start.");

        // The Markdown preview follows the text live.
        await page.FillAsync("#ends", "2026-06-01T00:00");
        await page.FillAsync("#page-markdown", "## Scoring\n\nMulticlass **log loss** over 121 classes.");
        await Expect(page.GetByTestId("page-preview").Locator("strong")).ToHaveTextAsync("log loss");
        // Each page has its own text; the overview's stays when another is written.
        await page.GetByTestId("page-tab-Rules").ClickAsync();
        await page.FillAsync("#page-markdown", "No *external* data.");
        await Expect(page.GetByTestId("page-preview").Locator("em")).ToHaveTextAsync("external");
        await page.GetByTestId("page-tab-Overview").ClickAsync();
        await Expect(page.Locator("#page-markdown")).ToHaveValueAsync("## Scoring\n\nMulticlass **log loss** over 121 classes.");

        await page.CheckAsync("#published");
        await page.GetByTestId("save-challenge").ClickAsync();
        await BrowserSession.WaitForPathOrExplainAsync(page, "/challenges/plankton-bowl-2026");
        await Expect(page.GetByTestId("challenge-title")).ToHaveTextAsync("Plankton Bowl 2026");
        await Expect(page.GetByTestId("challenge-overview").Locator("h2")).ToHaveTextAsync("Scoring");

        // Anyone sees it on the public list, beside the demo challenge.
        var visitor = await session.NewPageAsync();
        await visitor.GotoAsync("/challenges");
        var list = visitor.GetByTestId("challenge-list");
        await Expect(list.GetByRole(AriaRole.Link, new() { Name = "Plankton Bowl 2026" })).ToHaveCountAsync(1);
        await Expect(list.GetByText("EuroSAT land cover from few labels")).ToBeVisibleAsync();
    }
}
