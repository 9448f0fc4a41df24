using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Challenge.Core.Data;
using Challenge.Core.Submissions;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Web.Tests.Rankings;

// The parameter-free Ladder over the real HTTP pipeline: the team's API and pages show the score
// the board showed, the organizer's API the exact one, and the pages say which rule is in force.
public abstract class ParameterFreeLadderPageTests(string provider) : IAsyncLifetime
{
    private CompetitionSite _site = default!;

    public async Task InitializeAsync()
    {
        _site = await CompetitionSite.StartAsync(provider: provider);
        await using var db = _site.Factory.OpenDbContext();
        await db.Tasks.ExecuteUpdateAsync(t => t.SetProperty(x => x.LadderParameterFree, true));
    }

    public async Task DisposeAsync() => await _site.DisposeAsync();

    // 20 public rows (the even ones); right on `right`, wrong elsewhere.
    private static string Csv(Func<int, bool> right)
    {
        var csv = new StringBuilder("Id,Category\n");
        for (var row = 0; row < 40; row++)
        {
            var truth = CompetitionSite.Truth(row);
            csv.Append($"{row},{(right(row) ? truth : CompetitionSite.Classes[(Array.IndexOf(CompetitionSite.Classes, truth) + 1) % 4])}\n");
        }
        return csv.ToString();
    }

    private async Task<long> DecidedAsync(string csv)
    {
        var response = await _site.SubmitAsync(_site.Ada, csv);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        Assert.Equal(SubmissionStatus.Scored, (await _site.WaitForScoringAsync(id)).Status);
        for (var wait = 0; ; wait++)
        {
            await using var db = _site.Factory.OpenDbContext();
            if (await db.Submissions.AnyAsync(s => s.Id == id && s.LadderScore != null))
            {
                return id;
            }
            Assert.True(wait < 1200, $"Submission {id} has no Ladder decision after 60 s.");
            await Task.Delay(50);
        }
    }

    [DatabaseFact]
    public async Task The_team_reads_the_shown_score_through_the_api_and_the_organizer_the_exact_one_and_the_pages_explain_the_rule()
    {
        // The base is right on the public rows below 20: 0.50. The probe gets three more right and
        // two of those wrong: 0.55, one row's worth within the standard error of a change of five
        // rows out of twenty (about 0.11).
        await DecidedAsync(Csv(row => row < 20));
        var wrongAbove = new HashSet<int> { 22, 30, 36 };
        var brokenBelow = new HashSet<int> { 4, 12 };
        var probe = await DecidedAsync(Csv(row => wrongAbove.Contains(row) || (row < 20 && !brokenBelow.Contains(row))));

        var mine = await _site.Ada.Api.GetFromJsonAsync<JsonElement>($"/api/submissions/{probe}");
        Assert.Equal(0.50, mine.GetProperty("publicScore").GetDouble(), 9);
        var exact = await _site.Organizer.Api.GetFromJsonAsync<JsonElement>($"/api/submissions/{probe}");
        Assert.Equal(0.55, exact.GetProperty("publicScore").GetDouble(), 9);
        var board = await _site.Ada.Api.GetFromJsonAsync<JsonElement>($"/api/challenges/{CompetitionSite.Slug}/leaderboard");
        Assert.Equal(0.50, board.GetProperty("entries").EnumerateArray().Single(e => e.GetProperty("team").GetString() == "Abyssal").GetProperty("score").GetDouble(), 9);
        Assert.DoesNotContain("0.55", board.ToString());

        var evaluation = await _site.Ada.Browser.GetStringAsync($"/challenges/{CompetitionSite.Slug}/evaluation");
        Assert.Contains($"data-testid=\"ladder-{CompetitionSite.TaskSlug}\"", evaluation);
        Assert.Contains("standard error", evaluation);
        var submit = await _site.Ada.Browser.GetStringAsync($"/challenges/{CompetitionSite.Slug}/submit");
        Assert.Contains("data-testid=\"ladder-note\"", submit);
        Assert.Contains("parameter-free Ladder", submit);
        Assert.DoesNotContain("0.55", submit);
    }
}

public sealed class ParameterFreeLadderPageTestsOnSqlite() : ParameterFreeLadderPageTests(DatabaseProviders.Sqlite);

public sealed class ParameterFreeLadderPageTestsOnPostgres() : ParameterFreeLadderPageTests(DatabaseProviders.Postgres), IPostgresTests;
