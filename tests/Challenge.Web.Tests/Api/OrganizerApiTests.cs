using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Challenge.Core.Challenges;
using Challenge.Core.Data;
using Challenge.Testing;
using Challenge.Core.Tasks;

namespace Challenge.Web.Tests.Api;

// What an organizer does on the pages, done with a token: a challenge made from nothing to
// published, through the same services and the same checks.
public abstract class OrganizerApiTests(string provider) : IAsyncLifetime
{
    private CompetitionSite _site = default!;

    public async Task InitializeAsync() => _site = await CompetitionSite.StartAsync(provider: provider);

    public async Task DisposeAsync() => await _site.DisposeAsync();

    [DatabaseFact]
    public async Task An_organizer_creates_a_challenge_with_a_task_a_solution_and_data_and_publishes_it()
    {
        var api = _site.Organizer.Api;
        var start = DateTime.UtcNow.AddDays(-1);
        var created = await api.PostAsJsonAsync("/api/challenges", new
        {
            slug = "api-made", title = "Made by a script", startsAt = start, endsAt = start.AddDays(30), dailySubmissionLimit = 7,
            pages = new { overview = "# Hello", rules = "Be nice." },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var challenge = (await _site.Get<CompetitionService>().FindVisibleAsync("api-made", _site.Organizer.Principal))!;
        Assert.Equal(CompetitionStatus.Draft, challenge.Status);
        Assert.Equal(7, challenge.DailySubmissionLimit);
        Assert.Equal("Be nice.", challenge.RulesMarkdown);

        var task = await api.PostAsJsonAsync("/api/challenges/api-made/tasks", new
        {
            slug = "cover", title = "Land cover", kind = "label", metric = "weighted_accuracy", publicShare = 0.5, seed = 42,
            classWeights = new Dictionary<string, double> { ["sandy"] = 1, ["muddy"] = 2, ["muddy-sand"] = 1, ["reef"] = 3 },
        });
        Assert.Equal(HttpStatusCode.OK, task.StatusCode);
        var solution = await api.PutAsync("/api/challenges/api-made/tasks/cover/solution?fileName=solution.csv", new StringContent(CompetitionSite.SolutionCsv(), Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, solution.StatusCode);
        var data = await api.PostAsync("/api/challenges/api-made/data?fileName=train.csv", new StringContent("Id,Category\n", Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, data.StatusCode);
        var edited = await api.PatchAsJsonAsync("/api/challenges/api-made/tasks/cover", new { publicShare = 0.25 });
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        Assert.Equal(0.25, (await edited.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("publicShare").GetDouble());

        Assert.Equal(HttpStatusCode.NotFound, (await _site.Ada.Api.GetAsync("/api/challenges/api-made")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync("/api/challenges/api-made/publish", null)).StatusCode);
        var seen = await _site.Ada.Api.GetFromJsonAsync<JsonElement>("/api/challenges/api-made");
        Assert.Equal("weighted_accuracy", seen.GetProperty("tasks")[0].GetProperty("metric").GetString());
        var stored = (await _site.Get<TaskService>().ListAsync(challenge.Id)).Single();
        Assert.Equal((0.25, 42, 40), (stored.PublicFraction, stored.SplitSeed, stored.SolutionRows));

        // Running: the private board is revealed after the end, not before.
        var reveal = await api.PostAsync("/api/challenges/api-made/reveal", null);
        Assert.Equal(HttpStatusCode.Conflict, reveal.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.PatchAsJsonAsync("/api/challenges/api-made", new { endsAt = DateTime.UtcNow.AddMinutes(-1) })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync("/api/challenges/api-made/reveal", null)).StatusCode);
        Assert.True((await _site.Get<CompetitionService>().FindVisibleAsync("api-made", _site.Organizer.Principal))!.IsPrivateRevealed);
    }

    [DatabaseFact]
    public async Task Invalid_settings_are_refused_field_by_field_under_the_apis_names_and_change_nothing()
    {
        var api = _site.Organizer.Api;
        var badTask = await api.PostAsJsonAsync($"/api/challenges/{CompetitionSite.Slug}/tasks", new { slug = "second", title = "Second", metric = "no_such_metric", publicShare = 1.5 });
        Assert.Equal(HttpStatusCode.BadRequest, badTask.StatusCode);
        var errors = (await badTask.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("no_such_metric", errors.GetProperty("metric")[0].GetString());
        Assert.True(errors.TryGetProperty("publicShare", out _));

        var badDates = await api.PatchAsJsonAsync($"/api/challenges/{CompetitionSite.Slug}", new { endsAt = DateTime.UtcNow.AddYears(-5) });
        Assert.Equal(HttpStatusCode.BadRequest, badDates.StatusCode);
        Assert.True((await badDates.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("endsAt", out _));

        var unknownKind = await api.PatchAsJsonAsync($"/api/challenges/{CompetitionSite.Slug}/tasks/{CompetitionSite.TaskSlug}", new { kind = "telepathy" });
        Assert.Equal(HttpStatusCode.BadRequest, unknownKind.StatusCode);

        Assert.Single(await _site.Get<TaskService>().ListAsync(_site.Challenge.Id));
        Assert.True((await _site.Get<CompetitionService>().FindVisibleAsync(CompetitionSite.Slug, _site.Organizer.Principal))!.EndsAtUtc > DateTime.UtcNow);
    }

    [DatabaseFact]
    public async Task The_ladder_rule_is_set_through_the_task_api_and_refused_where_it_cannot_apply()
    {
        var api = _site.Organizer.Api;
        var task = $"/api/challenges/{CompetitionSite.Slug}/tasks/{CompetitionSite.TaskSlug}";
        async Task<JsonElement> SettingsAsync() => await api.GetFromJsonAsync<JsonElement>($"{task}/settings");
        Assert.Equal("off", (await SettingsAsync()).GetProperty("ladder").GetString());

        var parameterFree = await api.PatchAsJsonAsync(task, new { ladder = "parameter_free" });
        Assert.Equal(HttpStatusCode.OK, parameterFree.StatusCode);
        Assert.Equal("parameter_free", (await SettingsAsync()).GetProperty("ladder").GetString());
        Assert.True((await _site.Get<TaskService>().ListAsync(_site.Challenge.Id)).Single().LadderParameterFree);

        // A margin alone turns the fixed-margin rule on.
        Assert.Equal(HttpStatusCode.OK, (await api.PatchAsJsonAsync(task, new { ladderMargin = 0.02 })).StatusCode);
        var margin = await SettingsAsync();
        Assert.Equal("margin", margin.GetProperty("ladder").GetString());
        Assert.Equal(0.02, margin.GetProperty("ladderMargin").GetDouble());

        var unknown = await api.PatchAsJsonAsync(task, new { ladder = "sometimes" });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("parameter_free", (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("ladder")[0].GetString());
        // F1 is not a mean over rows: the parameter-free rule has no per-row losses to work with.
        var notAMean = await api.PatchAsJsonAsync(task, new { metric = "f1_macro", ladder = "parameter_free" });
        Assert.Equal(HttpStatusCode.BadRequest, notAMean.StatusCode);
        Assert.Contains("mean over rows", (await notAMean.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("ladder")[0].GetString());
        Assert.Equal("margin", (await SettingsAsync()).GetProperty("ladder").GetString());

        Assert.Equal(HttpStatusCode.OK, (await api.PatchAsJsonAsync(task, new { ladder = "off" })).StatusCode);
        var off = await SettingsAsync();
        Assert.Equal("off", off.GetProperty("ladder").GetString());
        Assert.Equal(JsonValueKind.Null, off.GetProperty("ladderMargin").ValueKind);
    }

    [DatabaseFact]
    public async Task Participants_cannot_create_or_edit_and_a_browser_session_cannot_write()
    {
        var create = await _site.Ada.Api.PostAsJsonAsync("/api/challenges", new { slug = "mine", title = "Mine", startsAt = DateTime.UtcNow, endsAt = DateTime.UtcNow.AddDays(1) });
        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        var edit = await _site.Ada.Api.PatchAsJsonAsync($"/api/challenges/{CompetitionSite.Slug}", new { title = "Taken over" });
        Assert.Equal(HttpStatusCode.NotFound, edit.StatusCode);
        // The organizer's cookie alone does not write: a cross-site form could send it.
        var cookie = await _site.Organizer.Browser.PatchAsJsonAsync($"/api/challenges/{CompetitionSite.Slug}", new { title = "Taken over" });
        Assert.Equal(HttpStatusCode.Unauthorized, cookie.StatusCode);
        Assert.Equal("Sea floor", (await _site.Get<CompetitionService>().FindVisibleAsync(CompetitionSite.Slug, _site.Organizer.Principal))!.Title);
    }
}

public sealed class OrganizerApiTestsOnSqlite() : OrganizerApiTests(DatabaseProviders.Sqlite);

public sealed class OrganizerApiTestsOnPostgres() : OrganizerApiTests(DatabaseProviders.Postgres), IPostgresTests;
