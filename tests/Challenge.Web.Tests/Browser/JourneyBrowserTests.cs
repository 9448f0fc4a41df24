using System.Globalization;
using System.Text;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Challenge.Web.Tests.Browser;

// The plankton journey end to end: a 121-class probability task whose hidden rows hold fewer
// classes, limits set in the editor, and a participant who submits without forming a team.
public sealed class JourneyBrowserTests(ITestOutputHelper output)
{
    private static readonly string[] s_classes = [.. Enumerable.Range(0, 121).Select(i => $"taxon_{i:D3}")];
    private const int Rows = 60;

    private static string TempFile(string name, string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}-{name}");
        File.WriteAllText(path, text);
        return path;
    }

    // The hidden rows use only the first 114 classes.
    private static string Solution() =>
        "Id,Category\n" + string.Concat(Enumerable.Range(0, Rows).Select(row => $"{row},{s_classes[row * 7 % 114]}\n"));

    private static string UniformSubmission()
    {
        var csv = new StringBuilder("Id," + string.Join(",", s_classes) + "\n");
        var cell = (1.0 / s_classes.Length).ToString("R", CultureInfo.InvariantCulture);
        for (var row = 0; row < Rows; row++)
        {
            csv.Append(row).Append(string.Concat(Enumerable.Repeat("," + cell, s_classes.Length))).Append('\n');
        }
        return csv.ToString();
    }

    private static async Task RegisterAsync(IPage page, string name)
    {
        await page.GotoAsync("/account/register");
        await page.FillAsync("#displayName", name);
        await page.FillAsync("#email", $"{name}@example.org");
        await page.FillAsync("#password", "correct-horse-1");
        await page.FillAsync("#confirm", "correct-horse-1");
        await page.GetByTestId("register-submit").ClickAsync();
        await Expect(page.GetByTestId("user-name")).ToBeVisibleAsync();
    }

    private static string Local(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);

    [BrowserFact]
    public async Task An_organizer_sets_up_a_121_class_challenge_and_a_participant_submits_without_forming_a_team()
    {
        await using var session = await BrowserSession.StartAsync(output);

        // The organizer creates the challenge with its limits and rules, as a draft.
        var organizer = await session.NewPageAsync();
        await RegisterAsync(organizer, "olga");
        await organizer.GotoAsync("/challenges/new");
        await BrowserSession.WaitForInteractivityAsync(organizer);
        await organizer.FillAsync("#title", "Plankton Bowl");
        await organizer.PressAsync("#title", "Tab");
        await organizer.FillAsync("#starts", Local(DateTime.UtcNow.Date.AddDays(-1)));
        await organizer.FillAsync("#ends", Local(DateTime.UtcNow.Date.AddDays(30)));
        await organizer.FillAsync("#daily-limit", "2");
        await organizer.FillAsync("#team-size", "3");
        await organizer.GetByTestId("page-tab-Rules").ClickAsync();
        await organizer.FillAsync("#page-markdown", "Only the **provided** images may be used.");
        await Expect(organizer.GetByTestId("page-preview").Locator("strong")).ToHaveTextAsync("provided");
        await organizer.GetByTestId("save-challenge").ClickAsync();
        await BrowserSession.WaitForPathOrExplainAsync(organizer, "/challenges/plankton-bowl");

        // A probability task declaring all 121 classes; its solution holds 114 of them.
        await organizer.GotoAsync("/challenges/plankton-bowl/manage");
        await BrowserSession.WaitForInteractivityAsync(organizer);
        await organizer.FillAsync("#task-title", "Plankton");
        await organizer.FillAsync("#task-slug", "plankton");
        await organizer.SelectOptionAsync("#task-kind", "Probability");
        await organizer.SelectOptionAsync("#task-metric", "log_loss");
        await organizer.FillAsync("#task-classes", string.Join("\n", s_classes));
        await Expect(organizer.GetByTestId("task-classes-count")).ToHaveTextAsync("121 classes");
        await organizer.GetByTestId("save-task").ClickAsync();
        await Expect(organizer.GetByTestId("solution-plankton")).ToHaveTextAsync("none yet");
        await organizer.Locator("#solution-file").SetInputFilesAsync(TempFile("solution.csv", Solution()));
        await Expect(organizer.GetByTestId("solution-message")).ToContainTextAsync($"Solution accepted: {Rows} rows");

        // Every checklist item is met, so publishing asks nothing.
        await organizer.GotoAsync("/challenges/plankton-bowl/edit");
        await BrowserSession.WaitForInteractivityAsync(organizer);
        await Expect(organizer.GetByTestId("publish-checklist").Locator("li.todo")).ToHaveCountAsync(0);
        await organizer.CheckAsync("#published");
        await organizer.GetByTestId("save-challenge").ClickAsync();
        await BrowserSession.WaitForPathOrExplainAsync(organizer, "/challenges/plankton-bowl");

        // A participant accepts the rules on the Submit page and uploads a full 121-column file.
        var ada = await session.NewPageAsync();
        await RegisterAsync(ada, "ada");
        await ada.GotoAsync("/challenges/plankton-bowl/rules");
        await Expect(ada.Locator("article.markdown strong")).ToHaveTextAsync("provided");
        await ada.GotoAsync("/challenges/plankton-bowl/submit");
        await BrowserSession.WaitForInteractivityAsync(ada);
        await ada.GetByTestId("accept-rules").ClickAsync();
        await Expect(ada.GetByTestId("solo-team-note")).ToBeVisibleAsync();
        await Expect(ada.GetByTestId("quota")).ToContainTextAsync("2 of 2");
        var full = TempFile("uniform.csv", UniformSubmission());
        await ada.Locator("#submission-file").SetInputFilesAsync(full);
        await ada.GetByTestId("submit-button").ClickAsync();
        var row = ada.GetByTestId("recent-submissions").Locator("tbody tr").First;
        await Expect(row.GetByText("Scored")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        // A uniform guess over 121 classes: log loss ln 121.
        await Expect(row.GetByTestId("public-score")).ToHaveTextAsync(Math.Log(121).ToString("F5", CultureInfo.InvariantCulture));
        await Expect(ada.GetByTestId("solo-team-note")).ToHaveCountAsync(0);
        await Expect(ada.GetByTestId("quota")).ToContainTextAsync("1 of 2");

        // The one-person team carries her name.
        await ada.GotoAsync("/challenges/plankton-bowl/team");
        await Expect(ada.GetByTestId("team-name")).ToHaveTextAsync("ada");

        // The second upload is allowed; the third is refused by the organizer's limit of 2.
        await ada.GotoAsync("/challenges/plankton-bowl/submit");
        await BrowserSession.WaitForInteractivityAsync(ada);
        await ada.Locator("#submission-file").SetInputFilesAsync(TempFile("second.csv", UniformSubmission()));
        await ada.GetByTestId("submit-button").ClickAsync();
        await Expect(ada.GetByTestId("quota")).ToContainTextAsync("0 of 2");
        // Another file: choosing the same one again fires no change in the browser.
        await ada.Locator("#submission-file").SetInputFilesAsync(TempFile("third.csv", UniformSubmission()));
        await ada.GetByTestId("submit-button").ClickAsync();
        await Expect(ada.GetByTestId("submit-refusal")).ToContainTextAsync("used today's 2 submissions");

        // The sample submission names all 121 declared classes.
        var sample = await ada.APIRequest.GetAsync("/challenges/plankton-bowl/tasks/plankton/sample-submission.csv");
        Assert.True(sample.Ok, $"sample submission answered {sample.Status}");
        var header = (await sample.TextAsync()).Split('\n')[0].TrimEnd('\r');
        Assert.Equal("Id," + string.Join(",", s_classes), header);
    }
}
