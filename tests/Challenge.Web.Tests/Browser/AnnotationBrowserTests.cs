using System.Globalization;
using Challenge.Web.Tests.Annotations;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Challenge.Web.Tests.Browser;

public sealed class AnnotationBrowserTests(ITestOutputHelper output)
{
    private static string Temp(string name, byte[] content)
    {
        var path = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}-{name}");
        File.WriteAllBytes(path, content);
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

    private static async Task AcceptRulesAsync(IPage page)
    {
        await page.GotoAsync("/challenges/river-plastic/rules");
        await BrowserSession.WaitForInteractivityAsync(page);
        await page.GetByTestId("accept-rules").ClickAsync();
        await Expect(page.GetByTestId("rules-accepted")).ToBeVisibleAsync();
    }

    private static string Local(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);

    [BrowserFact]
    public async Task A_team_uploads_a_YOLO_zip_and_a_Kili_export_to_an_annotation_task_and_watches_its_score_on_the_live_leaderboard()
    {
        await using var session = await BrowserSession.StartAsync(output);
        var images = Temp("frames.zip", AnnotationFixtures.ImagesZip());
        var gold = Temp("gold.json", AnnotationFixtures.GoldCoco());
        // Every image lacks one of its two boxes: precision 1, recall 0.5 on any part of the set.
        var yolo = Temp("labels.zip", AnnotationFixtures.Yolo(AnnotationFixtures.Team(missing: AnnotationFixtures.ImageCount)));
        var kili = Temp("kili-export.json", AnnotationFixtures.Kili(AnnotationFixtures.Team(missing: 0)));

        // The organizer creates the challenge and an annotation task, then uploads the images and the gold boxes.
        var organizer = await session.NewPageAsync();
        await RegisterAsync(organizer, "olga");
        await organizer.GotoAsync("/challenges/new");
        await BrowserSession.WaitForInteractivityAsync(organizer);
        await organizer.FillAsync("#title", "River plastic");
        await organizer.PressAsync("#title", "Tab");
        await Expect(organizer.Locator("#slug")).ToHaveValueAsync("river-plastic");
        await organizer.FillAsync("#starts", Local(DateTime.UtcNow.Date.AddDays(-1)));
        await organizer.FillAsync("#ends", Local(DateTime.UtcNow.Date.AddDays(30)));
        await organizer.CheckAsync("#published");
        await organizer.GetByTestId("save-challenge").ClickAsync();
        await BrowserSession.WaitForPathOrExplainAsync(organizer, "/challenges/river-plastic");

        await organizer.GetByTestId("tab-manage").ClickAsync();
        await BrowserSession.WaitForPathOrExplainAsync(organizer, "/challenges/river-plastic/manage");
        await BrowserSession.WaitForInteractivityAsync(organizer);
        await organizer.FillAsync("#task-title", "Plastic boxes");
        await organizer.FillAsync("#task-slug", "boxes");
        await organizer.SelectOptionAsync("#task-family", "Annotation");
        await Expect(organizer.Locator("#task-metric")).ToHaveValueAsync("box_f1");
        await organizer.GetByTestId("save-task").ClickAsync();
        await Expect(organizer.GetByTestId("solution-boxes")).ToContainTextAsync("no gold yet");
        await organizer.Locator("#images-file").SetInputFilesAsync(images);
        await Expect(organizer.GetByTestId("asset-message")).ToContainTextAsync("Images accepted: 8 images");
        await organizer.Locator("#gold-file").SetInputFilesAsync(gold);
        await Expect(organizer.GetByTestId("asset-message")).ToContainTextAsync("Gold annotations accepted: 16 boxes");

        // Ada creates the team; Bob joins it and keeps the leaderboard open.
        var ada = await session.NewPageAsync();
        await RegisterAsync(ada, "ada");
        await AcceptRulesAsync(ada);
        await ada.GotoAsync("/challenges/river-plastic/team");
        await BrowserSession.WaitForInteractivityAsync(ada);
        await ada.FillAsync("#team-name", "Drifters");
        await ada.GetByTestId("create-team").ClickAsync();
        await Expect(ada.GetByTestId("team-name")).ToHaveTextAsync("Drifters");
        var inviteCode = await ada.GetByTestId("invite-code").InnerTextAsync();
        await ada.GotoAsync("/challenges/river-plastic/data");
        await Expect(ada.GetByTestId("images-boxes")).ToHaveAttributeAsync("href", "/api/challenges/river-plastic/tasks/boxes/images.zip");
        await ada.GotoAsync("/challenges/river-plastic/evaluation");
        await Expect(ada.GetByTestId("evaluation-boxes")).ToContainTextAsync("Kili");

        var bob = await session.NewPageAsync();
        await RegisterAsync(bob, "bob");
        await AcceptRulesAsync(bob);
        await bob.GotoAsync("/challenges/river-plastic/team");
        await BrowserSession.WaitForInteractivityAsync(bob);
        await bob.FillAsync("#invite", inviteCode);
        await bob.GetByTestId("join-team").ClickAsync();
        await Expect(bob.GetByTestId("team-name")).ToHaveTextAsync("Drifters");
        await bob.GotoAsync("/challenges/river-plastic/leaderboard");
        await BrowserSession.WaitForInteractivityAsync(bob);
        await Expect(bob.GetByText("No score yet")).ToBeVisibleAsync();

        // The YOLO zip first: half of the gold boxes found.
        await ada.GotoAsync("/challenges/river-plastic/submit");
        await BrowserSession.WaitForInteractivityAsync(ada);
        await ada.Locator("#submission-file").SetInputFilesAsync(yolo);
        await ada.GetByTestId("submit-button").ClickAsync();
        var row = ada.GetByTestId("recent-submissions").Locator("tbody tr").First;
        await Expect(row.GetByText("Scored")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(row.GetByTestId("public-score")).ToHaveTextAsync("0.66667");

        var board = bob.GetByTestId("leaderboard");
        await Expect(board.GetByTestId("team-cell")).ToContainTextAsync("Drifters", new() { Timeout = 30_000 });
        await Expect(board.GetByTestId("score-cell")).ToHaveTextAsync("0.66667");

        // Then the Kili export with every box: Bob's open board moves to 1 without a reload.
        await ada.Locator("#submission-file").SetInputFilesAsync(kili);
        await ada.GetByTestId("submit-button").ClickAsync();
        await Expect(ada.GetByTestId("recent-submissions").Locator("tbody tr").First.GetByTestId("public-score")).ToHaveTextAsync("1.00000", new() { Timeout = 30_000 });
        await Expect(board.GetByTestId("score-cell")).ToHaveTextAsync("1.00000", new() { Timeout = 30_000 });

        // The team reads what its score is made of: every box found, so recall 1.
        await ada.GotoAsync("/challenges/river-plastic/submissions");
        await BrowserSession.WaitForInteractivityAsync(ada);
        var breakdown = ada.GetByTestId("score-breakdown").First;
        await breakdown.Locator("summary").ClickAsync();
        await Expect(breakdown.GetByTestId("component-recall").Locator("td").Nth(1)).ToHaveTextAsync("1.00000");

        // Ada's boxes over the images; gold stays hidden while the challenge runs. j moves to the next image.
        await ada.GotoAsync("/challenges/river-plastic/viewer");
        await BrowserSession.WaitForInteractivityAsync(ada);
        await Expect(ada.GetByTestId("viewer-position")).ToContainTextAsync("1 / 8");
        await Expect(ada.Locator("[data-testid=viewer-overlay] rect[data-kind=team]")).ToHaveCountAsync(2);
        await Expect(ada.GetByTestId("viewer-legend")).ToContainTextAsync("Solid blue: your boxes");
        await Expect(ada.Locator("[data-testid=viewer-overlay] rect[data-kind=gold]")).ToHaveCountAsync(0);
        await Expect(ada.GetByTestId("class-errors")).ToHaveCountAsync(0);
        await ada.GetByTestId("viewer").FocusAsync();
        await ada.Keyboard.PressAsync("j");
        await Expect(ada.GetByTestId("viewer-position")).ToContainTextAsync("2 / 8");
        // The next image is still on its way when the position changes: wait for it to decode.
        await ada.WaitForFunctionAsync("() => { const i = document.querySelector('[data-testid=viewer] img'); return i !== null && i.complete && i.naturalWidth === 64 && i.src.includes('/images/'); }");

        // The organizer looks at any team's submission, with gold and the per-class error table:
        // the newest is Ada's export with every box, so nothing is missed on the first image.
        await organizer.GotoAsync("/challenges/river-plastic/viewer");
        await BrowserSession.WaitForInteractivityAsync(organizer);
        await Expect(organizer.Locator("#viewer-submission option")).ToHaveCountAsync(2);
        await Expect(organizer.Locator("#viewer-submission option").First).ToContainTextAsync("Drifters: ");
        await Expect(organizer.Locator("[data-testid=viewer-overlay] rect[data-kind=team]")).ToHaveCountAsync(2);
        await Expect(organizer.GetByTestId("viewer-legend")).ToContainTextAsync("Solid blue: boxes of Drifters");
        await Expect(organizer.GetByTestId("class-errors").Locator("thead")).ToContainTextAsync("Team's");
        await Expect(organizer.Locator("[data-testid=viewer-overlay] rect[data-kind=missed]")).ToHaveCountAsync(0);
        await Expect(organizer.GetByTestId("class-errors").Locator("tbody tr")).ToHaveCountAsync(4);

        // A second task on the same pictures (detections, as in the ocean-plastic challenge): the viewer offers both.
        await organizer.GotoAsync("/challenges/river-plastic/manage");
        await BrowserSession.WaitForInteractivityAsync(organizer);
        await organizer.FillAsync("#task-title", "Plastic detections");
        await organizer.FillAsync("#task-slug", "detections");
        await organizer.SelectOptionAsync("#task-family", "Detection");
        await organizer.GetByTestId("save-task").ClickAsync();
        await Expect(organizer.GetByTestId("solution-detections")).ToContainTextAsync("no gold yet");
        await organizer.Locator("#images-file").SetInputFilesAsync(images);
        await Expect(organizer.GetByTestId("asset-message")).ToContainTextAsync("Images accepted: 8 images");
        await organizer.Locator("#gold-file").SetInputFilesAsync(gold);
        await Expect(organizer.GetByTestId("asset-message")).ToContainTextAsync("Gold annotations accepted: 16 boxes");
        await organizer.GotoAsync("/challenges/river-plastic/viewer");
        await BrowserSession.WaitForInteractivityAsync(organizer);
        await Expect(organizer.Locator("#viewer-task option")).ToHaveCountAsync(2);
        await organizer.SelectOptionAsync("#viewer-task", new SelectOptionValue { Label = "Plastic detections" });
        await Expect(organizer.GetByTestId("viewer-position")).ToContainTextAsync("1 / 8");
        await Expect(organizer.Locator("[data-testid=viewer] img")).ToHaveAttributeAsync("src", new System.Text.RegularExpressions.Regex("/tasks/detections/images/"));
    }
}
