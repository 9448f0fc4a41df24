using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Challenge.Web.Tests.Browser;

// The Content-Security-Policy must let every page work (the session fails any test whose pages it
// blocked anything in) and must stop what it is there to stop: a script injected into a page.
public sealed class ContentPolicyBrowserTests(ITestOutputHelper output)
{
    private const string Demo = "eurosat-land-cover";

    [BrowserFact]
    public async Task Every_page_works_under_the_content_security_policy_and_an_injected_inline_script_is_blocked()
    {
        await using var session = await BrowserSession.StartAsync(output);
        var page = await session.NewPageAsync();
        foreach (var path in new[] { "/", "/challenges", "/account/login", "/account/register", "/no-such-page" })
        {
            await page.GotoAsync(path);
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        }

        // The first account is the Admin and an Organizer: it may open every page.
        await page.GotoAsync("/account/register");
        await page.FillAsync("#displayName", "Ada");
        await page.FillAsync("#email", "ada@example.org");
        await page.FillAsync("#password", "correct-horse-1");
        await page.FillAsync("#confirm", "correct-horse-1");
        await page.GetByTestId("register-submit").ClickAsync();
        await Expect(page.GetByTestId("user-name")).ToHaveTextAsync("Ada");
        string[] interactive =
        [
            "/", "/challenges", $"/challenges/{Demo}", $"/challenges/{Demo}/data", $"/challenges/{Demo}/evaluation",
            $"/challenges/{Demo}/leaderboard", $"/challenges/{Demo}/rules", $"/challenges/{Demo}/submissions",
            $"/challenges/{Demo}/submit", $"/challenges/{Demo}/team", $"/challenges/{Demo}/manage", $"/challenges/{Demo}/edit",
            "/challenges/new", "/organize", "/organize/workers", "/teams", "/admin", "/account/tokens",
        ];
        foreach (var path in interactive)
        {
            await page.GotoAsync(path);
            await BrowserSession.WaitForInteractivityAsync(page);
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        }
        // The live connection is a WebSocket that the policy must allow: a click re-renders over it.
        await page.GotoAsync($"/challenges/{Demo}/leaderboard");
        await BrowserSession.WaitForInteractivityAsync(page);
        await Expect(page.Locator("#blazor-error-ui")).ToBeHiddenAsync();
        Assert.Empty(session.TakePolicyViolations());

        // Markup that slipped through escaping could add a script element: the policy refuses to run it.
        await page.EvaluateAsync("""
            () => {
                const script = document.createElement('script');
                script.textContent = 'window.injectedScriptRan = true;';
                document.body.appendChild(script);
            }
            """);
        await Expect(page.Locator("body")).ToBeVisibleAsync();
        Assert.Null(await page.EvaluateAsync<bool?>("() => window.injectedScriptRan ?? null"));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        var blocked = new List<string>();
        while (blocked.Count == 0 && DateTime.UtcNow < deadline)
        {
            blocked.AddRange(session.TakePolicyViolations());
            await Task.Delay(50);
        }
        Assert.Contains(blocked, violation => violation.Contains("script-src", StringComparison.Ordinal));
    }

    [BrowserFact]
    public async Task The_api_reference_renders_under_its_policy_and_is_reached_from_the_token_page()
    {
        await using var session = await BrowserSession.StartAsync(output);
        var page = await session.NewPageAsync();
        await page.GotoAsync("/account/register");
        await page.FillAsync("#displayName", "Ada");
        await page.FillAsync("#email", "ada@example.org");
        await page.FillAsync("#password", "correct-horse-1");
        await page.FillAsync("#confirm", "correct-horse-1");
        await page.GetByTestId("register-submit").ClickAsync();
        await Expect(page.GetByTestId("user-name")).ToHaveTextAsync("Ada");
        await page.GotoAsync("/account/tokens");
        await BrowserSession.WaitForInteractivityAsync(page);

        await page.GetByTestId("api-docs-link").ClickAsync();
        await page.WaitForURLAsync("**/api/docs**");
        // Scalar builds the page from the OpenAPI document in script: its text proves the script ran and the document loaded.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Challenge API" }).First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(page.GetByText("Selected Auth Type: userToken").First).ToBeVisibleAsync();
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);

        // The page's inline start-up script runs (allowed on this path); eval stays blocked. Scalar's
        // validation library probes for it with Function('') and falls back when refused, which is
        // the one report allowed here.
        var violations = session.TakePolicyViolations();
        Assert.All(violations, violation => Assert.Contains("script-src blocked eval", violation, StringComparison.Ordinal));
        Assert.DoesNotContain(violations, violation => violation.Contains("inline", StringComparison.Ordinal));
    }
}
