using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Challenge.Web.Tests.Browser;

public sealed class CompetitionBrowserTests(ITestOutputHelper output)
{
    private static readonly string[] Classes = ["sandy", "muddy", "muddy-sand", "reef"];

    private static string Truth(int row) => Classes[(row * 3 + row / 5) % Classes.Length];

    private static string WriteCsv(string name, Func<int, string> cell, string header)
    {
        var csv = new StringBuilder(header + "\n");
        for (var row = 0; row < 100; row++)
        {
            csv.Append(row.ToString(CultureInfo.InvariantCulture)).Append(',').Append(cell(row)).Append('\n');
        }
        var path = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}-{name}");
        File.WriteAllText(path, csv.ToString());
        return path;
    }

    private static async Task RegisterAsync(IPage page, string name)
    {
        await page.GotoAsync("/account/register");
        await page.FillAsync("#displayName", name);
        await page.FillAsync("#email", $"{name}@example.org");
        await page.FillAsync("#password", "correct-horse-1");
        await page.FillAsync("#confirm", "correct-horse-1");
        await page.GetByTestId("register-submit").ClickAsync();
        await Expect(page.GetByTestId("user-name")).ToHaveTextAsync(name);
    }

    private static string Local(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);

    [BrowserFact]
    public async Task A_score_submitted_by_one_participant_appears_live_on_the_other_participants_open_leaderboard()
    {
        await using var session = await BrowserSession.StartAsync(output);
        var solution = WriteCsv("solution.csv", row => Truth(row) + "," + (row % 2 == 0 ? "Public" : "Private"), "Id,Category,Usage");
        // Wrong on every fourth row unless its truth happens to be reef: 30 of the 50 public rows are right.
        var predictions = WriteCsv("predictions.csv", row => row % 4 == 0 ? "reef" : Truth(row), "Id,Category");

        // The organizer (first account) creates the challenge, a task and its hidden solution.
        var organizer = await session.NewPageAsync();
        await RegisterAsync(organizer, "olga");
        await organizer.GotoAsync("/challenges/new");
        await BrowserSession.WaitForInteractivityAsync(organizer);
        await organizer.FillAsync("#title", "Sea floor types");
        await organizer.PressAsync("#title", "Tab");
        await Expect(organizer.Locator("#slug")).ToHaveValueAsync("sea-floor-types");
        await organizer.FillAsync("#starts", Local(DateTime.UtcNow.Date.AddDays(-1)));
        await organizer.FillAsync("#ends", Local(DateTime.UtcNow.Date.AddDays(30)));
        await organizer.CheckAsync("#published");
        await organizer.GetByTestId("save-challenge").ClickAsync();
        await BrowserSession.WaitForPathOrExplainAsync(organizer, "/challenges/sea-floor-types");

        await organizer.GetByTestId("tab-manage").ClickAsync();
        await BrowserSession.WaitForPathOrExplainAsync(organizer, "/challenges/sea-floor-types/manage");
        await BrowserSession.WaitForInteractivityAsync(organizer);
        await organizer.FillAsync("#task-title", "Floor type");
        await organizer.FillAsync("#task-slug", "floor-type");
        await organizer.GetByTestId("save-task").ClickAsync();
        await Expect(organizer.GetByTestId("solution-floor-type")).ToHaveTextAsync("none yet");
        await organizer.Locator("#solution-file").SetInputFilesAsync(solution);
        await Expect(organizer.GetByTestId("solution-message")).ToContainTextAsync("Solution accepted: 100 rows, 50 public and 50 private");

        // Two participants register in their own browser contexts and form one team.
        var ada = await session.NewPageAsync();
        await RegisterAsync(ada, "ada");
        await ada.GotoAsync("/challenges/sea-floor-types/rules");
        await BrowserSession.WaitForInteractivityAsync(ada);
        await ada.GetByTestId("accept-rules").ClickAsync();
        await Expect(ada.GetByTestId("rules-accepted")).ToBeVisibleAsync();
        await ada.GotoAsync("/challenges/sea-floor-types/team");
        await BrowserSession.WaitForInteractivityAsync(ada);
        await ada.FillAsync("#team-name", "Abyssal");
        await ada.GetByTestId("create-team").ClickAsync();
        await Expect(ada.GetByTestId("team-name")).ToHaveTextAsync("Abyssal");
        var inviteCode = await ada.GetByTestId("invite-code").InnerTextAsync();

        var bob = await session.NewPageAsync();
        await RegisterAsync(bob, "bob");
        await bob.GotoAsync("/challenges/sea-floor-types/rules");
        await BrowserSession.WaitForInteractivityAsync(bob);
        await bob.GetByTestId("accept-rules").ClickAsync();
        await Expect(bob.GetByTestId("rules-accepted")).ToBeVisibleAsync();
        await bob.GotoAsync("/challenges/sea-floor-types/team");
        await BrowserSession.WaitForInteractivityAsync(bob);
        await bob.FillAsync("#invite", inviteCode);
        await bob.GetByTestId("join-team").ClickAsync();
        await Expect(bob.GetByTestId("team-name")).ToHaveTextAsync("Abyssal");

        // Bob keeps the leaderboard open; it has no score yet.
        await bob.GotoAsync("/challenges/sea-floor-types/leaderboard");
        await BrowserSession.WaitForInteractivityAsync(bob);
        await Expect(bob.GetByText("No score yet")).ToBeVisibleAsync();

        // Ada submits; her page follows the submission until it is scored.
        await ada.GotoAsync("/challenges/sea-floor-types/submit");
        await BrowserSession.WaitForInteractivityAsync(ada);
        await Expect(ada.GetByTestId("quota")).ToContainTextAsync("5 of 5");
        await ada.Locator("#submission-file").SetInputFilesAsync(predictions);
        await ada.GetByTestId("submit-button").ClickAsync();
        var row = ada.GetByTestId("recent-submissions").Locator("tbody tr").First;
        await Expect(row.GetByText("Scored")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(row.GetByTestId("public-score")).ToHaveTextAsync("0.60000");
        await Expect(ada.GetByTestId("quota")).ToContainTextAsync("4 of 5");

        // Without any reload, Bob's open page now shows the team's score.
        var board = bob.GetByTestId("leaderboard");
        await Expect(board.GetByTestId("team-cell")).ToContainTextAsync("Abyssal", new() { Timeout = 30_000 });
        await Expect(board.GetByTestId("score-cell")).ToHaveTextAsync("0.60000");
        await Expect(board.Locator("tr.changed")).ToHaveCountAsync(1);

        // The charts come with the first score: a team with one submission is one point, drawn as a
        // marker (a line of one point draws nothing), over an axis of short dates.
        var charts = bob.Locator(".charts");
        await Expect(charts.GetByTestId("progress-chart").Locator(".chart-series circle.marker")).ToHaveCountAsync(1);
        await Expect(charts.Locator(".x-axis .tick-text").First).ToHaveTextAsync(new Regex(@"^[A-Z][a-z]{2} \d{1,2}$"));
    }
}
