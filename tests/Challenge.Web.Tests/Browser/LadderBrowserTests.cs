using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Challenge.Web.Tests.Browser;

public sealed class LadderBrowserTests(ITestOutputHelper output)
{
    // The organizer picks the Ladder's rule in the task form: the margin field is there only for the
    // fixed margin, and each choice is what the task stores.
    [BrowserFact]
    public async Task The_organizer_chooses_the_parameter_free_ladder_or_a_fixed_margin_in_the_task_form()
    {
        await using var site = await CompetitionSite.StartAsync(configure: f =>
        {
            f.UseKestrel(0);
            f.StartServer();
        });
        await using var session = await BrowserSession.AttachAsync(site.Factory, output);
        var page = await session.NewPageAsync();
        await page.GotoAsync("/account/login");
        await page.FillAsync("#email", site.Organizer.Email);
        await page.FillAsync("#password", "correct-horse-1");
        await page.GetByTestId("login-submit").ClickAsync();
        await Expect(page.GetByTestId("user-name")).ToHaveTextAsync(site.Organizer.Email.Split('@')[0]);

        async Task<(bool ParameterFree, double? Margin)> StoredAsync()
        {
            await using var db = site.Factory.OpenDbContext();
            var task = await db.Tasks.AsNoTracking().SingleAsync();
            return (task.LadderParameterFree, task.LadderMargin);
        }
        async Task EditAsync()
        {
            await page.GotoAsync($"/challenges/{CompetitionSite.Slug}/manage");
            await BrowserSession.WaitForInteractivityAsync(page);
            await page.GetByRole(AriaRole.Button, new() { Name = "Edit", Exact = true }).First.ClickAsync();
            await Expect(page.Locator("#task-slug")).ToHaveValueAsync(CompetitionSite.TaskSlug);
        }

        await EditAsync();
        await Expect(page.Locator("#task-ladder-rule")).ToHaveValueAsync("Off");
        await Expect(page.Locator("#task-ladder")).ToHaveCountAsync(0);
        await page.SelectOptionAsync("#task-ladder-rule", "ParameterFree");
        await Expect(page.Locator("#task-ladder")).ToHaveCountAsync(0);
        await page.GetByTestId("save-task").ClickAsync();
        await Expect(page.GetByText("Task 'Floor type' saved.")).ToBeVisibleAsync();
        Assert.Equal((true, null), await StoredAsync());

        await EditAsync();
        await Expect(page.Locator("#task-ladder-rule")).ToHaveValueAsync("ParameterFree");
        await page.SelectOptionAsync("#task-ladder-rule", "Margin");
        await Expect(page.Locator("#task-ladder")).ToBeVisibleAsync();
        await page.FillAsync("#task-ladder", "0.02");
        await page.GetByTestId("save-task").ClickAsync();
        await Expect(page.GetByText("Task 'Floor type' saved.")).ToBeVisibleAsync();
        Assert.Equal((false, 0.02), await StoredAsync());
    }
}
