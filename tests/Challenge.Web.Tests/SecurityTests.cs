using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Challenge.Core.Data;
using Challenge.Core.Teams;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Challenge.Web.Tests;

// The security rules of the competition life cycle, each checked over the real HTTP pipeline.
public abstract class SecurityTests(string provider) : IAsyncLifetime
{
    private CompetitionSite _site = default!;

    public async Task InitializeAsync() => _site = await CompetitionSite.StartAsync(provider: provider);

    public async Task DisposeAsync() => await _site.DisposeAsync();

    private async Task<long> SubmittedAndScoredAsync(CompetitionSite.Participant participant)
    {
        var response = await _site.SubmitAsync(participant, CompetitionSite.PerfectCsv());
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        await _site.WaitForScoringAsync(id);
        return id;
    }

    [DatabaseFact]
    public async Task The_public_leaderboard_json_has_the_stable_shape_and_hides_private_scores()
    {
        await SubmittedAndScoredAsync(_site.Ada);

        var board = await _site.Factory.CreateClient().GetFromJsonAsync<JsonElement>($"/api/challenges/{CompetitionSite.Slug}/leaderboard");
        var entry = board.GetProperty("entries").EnumerateArray().Single();

        Assert.Equal(1, entry.GetProperty("rank").GetInt32());
        Assert.Equal("Abyssal", entry.GetProperty("team").GetString());
        Assert.Equal(1.0, entry.GetProperty("score").GetDouble());
        Assert.Equal(1, entry.GetProperty("entries").GetInt32());
        Assert.False(entry.GetProperty("isBaseline").GetBoolean());
        Assert.Equal("public", board.GetProperty("kind").GetString());
        var list = await _site.Factory.CreateClient().GetFromJsonAsync<JsonElement>("/api/challenges");
        Assert.Contains(list.EnumerateArray(), c => c.GetProperty("slug").GetString() == CompetitionSite.Slug);
    }

    [DatabaseFact]
    public async Task The_leaderboard_json_answers_304_to_a_reader_who_has_it_and_a_new_body_once_a_score_lands()
    {
        var path = $"/api/challenges/{CompetitionSite.Slug}/leaderboard";
        var reader = _site.Factory.CreateClient();
        var empty = await reader.GetAsync(path);
        var firstTag = empty.Headers.ETag!;
        Assert.Equal("application/json", empty.Content.Headers.ContentType!.MediaType);
        Assert.Empty((await empty.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("entries").EnumerateArray());

        var again = new HttpRequestMessage(HttpMethod.Get, path);
        again.Headers.IfNoneMatch.Add(firstTag);
        var unchanged = await reader.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);
        Assert.Empty(await unchanged.Content.ReadAsByteArrayAsync());

        await SubmittedAndScoredAsync(_site.Ada);

        var stale = new HttpRequestMessage(HttpMethod.Get, path);
        stale.Headers.IfNoneMatch.Add(firstTag);
        var changed = await reader.SendAsync(stale);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.NotEqual(firstTag, changed.Headers.ETag);
        Assert.Equal("Abyssal", (await changed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("entries")[0].GetProperty("team").GetString());
        // Another challenge's reader holding this tag learns nothing: the tag is of this board only.
        var other = new HttpRequestMessage(HttpMethod.Get, "/api/challenges/no-such-challenge/leaderboard");
        other.Headers.IfNoneMatch.Add(changed.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.SendAsync(other)).StatusCode);
    }

    [DatabaseFact]
    public async Task The_public_leaderboard_tag_and_body_stay_the_same_when_only_a_final_selection_changes()
    {
        var id = await SubmittedAndScoredAsync(_site.Ada);
        var path = $"/api/challenges/{CompetitionSite.Slug}/leaderboard";
        var watcher = _site.Factory.CreateClient();
        var before = await watcher.GetAsync(path);
        var beforeBody = await before.Content.ReadAsStringAsync();
        var boards = _site.Get<Challenge.Core.Leaderboards.LeaderboardService>();
        var computed = (await boards.GetAsync(_site.Task.Id, Challenge.Core.Leaderboards.LeaderboardKind.Public)).ComputedAtUtc;

        Assert.Null(await _site.Get<Challenge.Core.Submissions.SubmissionService>().SetSelectedAsync(id, _site.Ada.UserId, selected: true));
        // The selection reaches the boards through the change notifier: wait until they are recomputed.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await boards.GetAsync(_site.Task.Id, Challenge.Core.Leaderboards.LeaderboardKind.Public)).ComputedAtUtc == computed)
        {
            Assert.True(DateTime.UtcNow < deadline, "The boards were not recomputed after the selection.");
            await Task.Delay(20);
        }

        var again = new HttpRequestMessage(HttpMethod.Get, path);
        again.Headers.IfNoneMatch.Add(before.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await watcher.SendAsync(again)).StatusCode);
        var after = await watcher.GetAsync(path);
        Assert.Equal(before.Headers.ETag, after.Headers.ETag);
        Assert.Equal(beforeBody, await after.Content.ReadAsStringAsync());
    }

    [DatabaseFact]
    public async Task Private_scores_stay_hidden_from_participants_until_the_reveal()
    {
        var id = await SubmittedAndScoredAsync(_site.Ada);

        var privateBoard = await _site.Ada.Api.GetAsync($"/api/challenges/{CompetitionSite.Slug}/leaderboard?kind=private");
        var mine = await _site.Ada.Api.GetFromJsonAsync<JsonElement>($"/api/submissions/{id}");
        var organizerBoard = await _site.Organizer.Api.GetAsync($"/api/challenges/{CompetitionSite.Slug}/leaderboard?kind=private");

        Assert.Equal(HttpStatusCode.Forbidden, privateBoard.StatusCode);
        Assert.Equal(JsonValueKind.Null, mine.GetProperty("privateScore").ValueKind);
        Assert.Equal(1.0, mine.GetProperty("publicScore").GetDouble());
        Assert.Equal(HttpStatusCode.OK, organizerBoard.StatusCode);
    }

    [DatabaseFact]
    public async Task Another_teams_submission_and_file_answer_404_like_a_missing_one()
    {
        var id = await SubmittedAndScoredAsync(_site.Ada);

        Assert.Equal(HttpStatusCode.NotFound, (await _site.Bob.Api.GetAsync($"/api/submissions/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _site.Bob.Browser.GetAsync($"/challenges/{CompetitionSite.Slug}/submissions/{id}/file")).StatusCode);
        var own = await _site.Ada.Browser.GetAsync($"/challenges/{CompetitionSite.Slug}/submissions/{id}/file");
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(CompetitionSite.PerfectCsv(), await own.Content.ReadAsStringAsync());
        var bobsList = await _site.Bob.Api.GetFromJsonAsync<JsonElement>($"/api/challenges/{CompetitionSite.Slug}/submissions");
        Assert.Empty(bobsList.EnumerateArray());
    }

    [DatabaseFact]
    public async Task A_participant_cannot_replace_the_solution_or_open_organizer_pages()
    {
        var response = await _site.Ada.Api.PutAsync($"/api/challenges/{CompetitionSite.Slug}/tasks/{CompetitionSite.TaskSlug}/solution?fileName=s.csv",
            new StringContent("Id,Category\n0,reef\n", Encoding.UTF8, "text/csv"));
        var manage = await _site.Ada.Browser.GetAsync($"/challenges/{CompetitionSite.Slug}/manage");
        var export = await _site.Ada.Api.GetAsync($"/api/challenges/{CompetitionSite.Slug}/submissions.csv");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, manage.StatusCode);
        Assert.StartsWith("/account/access-denied", manage.Headers.Location!.PathAndQuery);
        Assert.Equal(HttpStatusCode.NotFound, export.StatusCode);
        await using var db = await _site.Get<IDbContextFactory<ChallengeDbContext>>().CreateDbContextAsync();
        Assert.Equal(_site.Task.SolutionVersion, (await db.Tasks.SingleAsync()).SolutionVersion);
    }

    [DatabaseFact]
    public async Task A_revoked_api_token_is_refused_while_the_owner_s_other_tokens_still_work()
    {
        var tokens = _site.Get<Challenge.Core.ApiTokens.ApiTokenService>();
        var second = (await tokens.CreateAsync(_site.Ada.UserId, "second"))!;
        var secondClient = _site.Factory.CreateClient();
        secondClient.DefaultRequestHeaders.Authorization = new("Bearer", second.Secret);
        var mine = $"/api/challenges/{CompetitionSite.Slug}/submissions";
        Assert.Equal(HttpStatusCode.OK, (await secondClient.GetAsync(mine)).StatusCode);

        Assert.True(await tokens.RevokeAsync(_site.Ada.UserId, second.Token.Id));

        var refused = await secondClient.GetAsync(mine);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("Bearer", refused.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(HttpStatusCode.OK, (await _site.Ada.Api.GetAsync(mine)).StatusCode);
        // Another user cannot revoke Ada's token.
        Assert.False(await tokens.RevokeAsync(_site.Bob.UserId, (await tokens.ListAsync(_site.Ada.UserId)).First(t => t.RevokedAtUtc is null).Id));
    }

    [DatabaseFact]
    public async Task A_token_s_last_use_is_recorded_for_its_owner_to_see()
    {
        var tokens = _site.Get<Challenge.Core.ApiTokens.ApiTokenService>();
        var fresh = (await tokens.CreateAsync(_site.Bob.UserId, "fresh"))!;
        Assert.Null(fresh.Token.LastUsedAtUtc);
        var client = _site.Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", fresh.Secret);
        var before = DateTime.UtcNow.AddSeconds(-1);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/challenges/{CompetitionSite.Slug}/submissions")).StatusCode);

        // Recorded beside the request rather than inside it.
        DateTime? lastUsed = null;
        for (var wait = 0; wait < 100 && lastUsed is null; wait++)
        {
            lastUsed = (await tokens.ListAsync(_site.Bob.UserId)).Single(t => t.Id == fresh.Token.Id).LastUsedAtUtc;
            await Task.Delay(lastUsed is null ? 100 : 0);
        }
        Assert.NotNull(lastUsed);
        Assert.True(lastUsed >= before, $"{lastUsed:O} is before {before:O}");
    }

    [DatabaseFact]
    public async Task An_organizer_manages_only_their_own_challenges()
    {
        var other = await _site.AccountAsync("oscar");
        await using (var scope = _site.Factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Challenge.Core.Accounts.AppUser>>();
            await users.AddToRoleAsync((await users.FindByIdAsync(other.UserId))!, Challenge.Core.Accounts.Roles.Organizer);
        }

        var response = await other.Api.PutAsync($"/api/challenges/{CompetitionSite.Slug}/tasks/{CompetitionSite.TaskSlug}/solution?fileName=s.csv",
            new StringContent(CompetitionSite.SolutionCsv(), Encoding.UTF8, "text/csv"));
        var owner = await _site.Organizer.Api.PutAsync($"/api/challenges/{CompetitionSite.Slug}/tasks/{CompetitionSite.TaskSlug}/solution?fileName=s.csv",
            new StringContent(CompetitionSite.SolutionCsv(), Encoding.UTF8, "text/csv"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, owner.StatusCode);
    }

    [DatabaseFact]
    public async Task A_refused_solution_upload_names_the_line_and_changes_nothing()
    {
        var response = await _site.Organizer.Api.PutAsync($"/api/challenges/{CompetitionSite.Slug}/tasks/{CompetitionSite.TaskSlug}/solution?fileName=s.csv",
            new StringContent("Id,Category\n0,reef\n0,sandy\n", Encoding.UTF8, "text/csv"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(body.GetProperty("errors").EnumerateArray(), e => e.GetProperty("line").GetInt32() == 3);
        await using var db = await _site.Get<IDbContextFactory<ChallengeDbContext>>().CreateDbContextAsync();
        Assert.Equal(_site.Task.SolutionVersion, (await db.Tasks.SingleAsync()).SolutionVersion);
    }

    [DatabaseFact]
    public async Task Submitting_needs_an_api_token_not_a_cookie()
    {
        var withCookie = await _site.Ada.Browser.PostAsync($"/api/challenges/{CompetitionSite.Slug}/tasks/{CompetitionSite.TaskSlug}/submissions",
            new StringContent(CompetitionSite.PerfectCsv(), Encoding.UTF8, "text/csv"));
        var anonymous = await _site.Factory.CreateClient().PostAsync($"/api/challenges/{CompetitionSite.Slug}/tasks/{CompetitionSite.TaskSlug}/submissions",
            new StringContent(CompetitionSite.PerfectCsv(), Encoding.UTF8, "text/csv"));
        var forged = _site.Factory.CreateClient();
        forged.DefaultRequestHeaders.Authorization = new("Bearer", "chl_forged");

        Assert.Equal(HttpStatusCode.Unauthorized, withCookie.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync($"/api/challenges/{CompetitionSite.Slug}/submissions")).StatusCode);
        await using var db = await _site.Get<IDbContextFactory<ChallengeDbContext>>().CreateDbContextAsync();
        Assert.Equal(0, await db.Submissions.CountAsync());
    }

    [DatabaseFact]
    public async Task A_file_over_the_size_limit_is_refused_with_413_and_not_stored()
    {
        var big = new string('x', (1 << 20) + 10);

        var response = await _site.SubmitAsync(_site.Ada, big);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await using var db = await _site.Get<IDbContextFactory<ChallengeDbContext>>().CreateDbContextAsync();
        Assert.Equal(0, await db.Submissions.CountAsync());
    }

    [DatabaseFact]
    public async Task The_daily_quota_answers_429_with_the_reset_time()
    {
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await _site.SubmitAsync(_site.Ada, CompetitionSite.PerfectCsv())).StatusCode);
        }

        var sixth = await _site.SubmitAsync(_site.Ada, CompetitionSite.PerfectCsv());

        Assert.Equal(HttpStatusCode.TooManyRequests, sixth.StatusCode);
        Assert.Contains("resets at", (await sixth.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.InRange(sixth.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
    }

    [DatabaseFact]
    public async Task The_sample_submission_reveals_nothing_of_the_truth()
    {
        var sample = await _site.Factory.CreateClient().GetStringAsync($"/challenges/{CompetitionSite.Slug}/tasks/{CompetitionSite.TaskSlug}/sample-submission.csv");

        var rows = sample.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(line => line.Split(',')[1]).ToList();
        Assert.Equal(40, rows.Count);
        Assert.Single(rows.Distinct());
    }

    [DatabaseFact]
    public async Task Data_files_need_the_rules_accepted()
    {
        var upload = await _site.Organizer.Api.PostAsync($"/api/challenges/{CompetitionSite.Slug}/data?fileName=train.csv&description=Training%20set",
            new StringContent("Id,Category\n1,reef\n", Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        var stranger = await _site.AccountAsync("stranger");

        var anonymous = await _site.Factory.CreateClient().GetAsync($"/api/challenges/{CompetitionSite.Slug}/data/train.csv");
        var notAccepted = await stranger.Api.GetAsync($"/api/challenges/{CompetitionSite.Slug}/data/train.csv");
        var accepted = await _site.Ada.Api.GetAsync($"/api/challenges/{CompetitionSite.Slug}/data/train.csv");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, notAccepted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal("Id,Category\n1,reef\n", await accepted.Content.ReadAsStringAsync());
    }

    [DatabaseFact]
    public async Task Exports_escape_cells_that_a_spreadsheet_would_run_as_formulas()
    {
        var mallory = await _site.AccountAsync("mallory");
        await _site.Get<TeamService>().AcceptRulesAsync(_site.Challenge.Id, mallory.UserId);
        await _site.Get<TeamService>().CreateAsync(_site.Challenge.Id, mallory.UserId, "=HYPERLINK(\"http://evil.example\",\"x\")");
        var response = await mallory.Api.PostAsync($"/api/challenges/{CompetitionSite.Slug}/tasks/{CompetitionSite.TaskSlug}/submissions?description=%2Bcmd",
            new StringContent(CompetitionSite.PerfectCsv(), Encoding.UTF8, "text/csv"));
        await _site.WaitForScoringAsync((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());

        var submissions = await _site.Organizer.Api.GetStringAsync($"/api/challenges/{CompetitionSite.Slug}/submissions.csv");
        var board = await _site.Factory.CreateClient().GetStringAsync($"/api/challenges/{CompetitionSite.Slug}/leaderboard.csv");

        Assert.Contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"", submissions);
        Assert.Contains(",'+cmd,", submissions);
        Assert.Contains("'=HYPERLINK", board);
        Assert.DoesNotContain(",=HYPERLINK", board);
    }

    [DatabaseFact]
    public async Task A_draft_challenge_is_invisible_to_the_public_api()
    {
        await _site.Factory.CreateChallengeAsync("hidden-draft", published: false);

        Assert.Equal(HttpStatusCode.NotFound, (await _site.Factory.CreateClient().GetAsync("/api/challenges/hidden-draft/leaderboard")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _site.Ada.Api.GetAsync("/api/challenges/hidden-draft")).StatusCode);
        var list = await _site.Factory.CreateClient().GetStringAsync("/api/challenges");
        Assert.DoesNotContain("hidden-draft", list);
    }

    [DatabaseFact]
    public async Task The_openapi_document_describes_the_api()
    {
        var document = await _site.Factory.CreateClient().GetStringAsync("/openapi/v1.json");

        Assert.Contains("/api/challenges/{slug}/leaderboard", document);
        Assert.Contains("/api/challenges/{slug}/tasks/{task}/submissions", document);
    }
}

public sealed class SecurityTestsOnSqlite() : SecurityTests(DatabaseProviders.Sqlite);

public sealed class SecurityTestsOnPostgres() : SecurityTests(DatabaseProviders.Postgres), IPostgresTests;

public sealed class RateLimitTests
{
    [Fact]
    public async Task More_than_thirty_uploads_a_minute_are_refused_with_429()
    {
        await using var site = await CompetitionSite.StartAsync(dailyLimit: 1000);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 32; i++)
        {
            statuses.Add((await site.SubmitAsync(site.Ada, "Id,Category\n")).StatusCode);
        }

        Assert.Equal(30, statuses.Count(s => s == HttpStatusCode.Accepted));
        Assert.Equal(2, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        var refused = await site.SubmitAsync(site.Ada, "Id,Category\n");
        Assert.Contains("Too many uploads", await refused.Content.ReadAsStringAsync());
        // Another participant is not slowed down by Ada's burst.
        Assert.Equal(HttpStatusCode.Accepted, (await site.SubmitAsync(site.Bob, "Id,Category\n")).StatusCode);
    }
}
