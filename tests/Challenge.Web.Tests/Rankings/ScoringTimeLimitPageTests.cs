using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Challenge.Core.Data;
using Challenge.Core.Submissions;

namespace Challenge.Web.Tests.Rankings;

// A scoring attempt past Scoring:TimeLimit is the platform's failure: the team reads why on the
// Submit page and in the API, and gets the submission back.
public sealed class ScoringTimeLimitPageTests
{
    [DatabaseFact]
    public async Task A_submission_past_the_time_limit_tells_the_team_it_timed_out_and_was_given_back()
    {
        // A limit of one tick: every attempt runs past it.
        await using var site = await CompetitionSite.StartAsync(provider: DatabaseProviders.Sqlite, configure: f => f.Settings["Scoring:TimeLimit"] = "00:00:00.0000001");
        var response = await site.SubmitAsync(site.Ada, CompetitionSite.PerfectCsv());
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var failed = await site.WaitForScoringAsync(id);
        Assert.Equal((SubmissionStatus.Failed, SubmissionFailure.Timeout, false), (failed.Status, failed.FailureKind, failed.CountsAgainstQuota));

        var submit = WebUtility.HtmlDecode(await site.Ada.Browser.GetStringAsync($"/challenges/{CompetitionSite.Slug}/submit"));
        Assert.Contains("took longer than the limit", submit);
        Assert.Contains(SubmissionScorer.GivenBackMessage.Trim(), submit);
        Assert.Contains("data-testid=\"given-back\"", submit);
        Assert.Contains("<strong>5</strong> of 5", submit);
        var read = await site.Ada.Api.GetFromJsonAsync<JsonElement>($"/api/submissions/{id}");
        Assert.Equal("failed", read.GetProperty("status").GetString()!.ToLowerInvariant());
    }
}
