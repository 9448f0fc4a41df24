using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Challenge.Core.Accounts;
using Challenge.Core.Baselines;
using Challenge.Core.Challenges;
using Challenge.Core.Data;
using Challenge.Core.Submissions;
using Challenge.Core.Tasks;
using Challenge.Web.Tests.Baselines;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Challenge.Web.Tests;

// A reopened challenge, a lease named by another worker, a role revoked under a live cookie and a
// score that overflows: each over the real HTTP pipeline, on both database providers.
public abstract class LifecycleHardeningTests(string provider)
{
    private static async Task<long> SubmittedAndScoredAsync(CompetitionSite site, CompetitionSite.Participant participant, string csv, string task = CompetitionSite.TaskSlug)
    {
        var response = await participant.Api.PostAsync($"/api/challenges/{CompetitionSite.Slug}/tasks/{task}/submissions?fileName=p.csv", new StringContent(csv, Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        await site.WaitForScoringAsync(id);
        return id;
    }

    [DatabaseFact]
    public async Task Extending_the_end_after_the_reveal_hides_the_private_scores_until_the_new_end()
    {
        await using var site = await CompetitionSite.StartAsync(provider: provider);
        await SubmittedAndScoredAsync(site, site.Ada, CompetitionSite.PerfectCsv());
        var anonymous = site.Factory.CreateClient();
        var privateBoard = $"/api/challenges/{CompetitionSite.Slug}/leaderboard?kind=private";
        // The deadline passes and the private board is revealed.
        await using (var db = site.Factory.OpenDbContext())
        {
            await db.Competitions.ExecuteUpdateAsync(c => c
                .SetProperty(x => x.EndsAtUtc, DateTime.UtcNow.AddHours(-1))
                .SetProperty(x => x.PrivateRevealedAtUtc, DateTime.UtcNow));
        }
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(privateBoard)).StatusCode);

        // The organizer moves the end ten days later: the challenge runs again.
        Competition challenge;
        await using (var db = site.Factory.OpenDbContext())
        {
            challenge = await db.Competitions.AsNoTracking().SingleAsync();
        }
        var input = CompetitionInput.From(challenge);
        input.EndsAtUtc = DateTime.UtcNow.AddDays(10);
        Assert.True((await site.Get<CompetitionService>().UpdateAsync(challenge.Id, input, site.Organizer.Principal)).Succeeded);
        var id = await SubmittedAndScoredAsync(site, site.Ada, CompetitionSite.PerfectCsv());

        var mine = await site.Ada.Api.GetFromJsonAsync<JsonElement>($"/api/submissions/{id}");
        var list = await site.Ada.Api.GetFromJsonAsync<JsonElement>($"/api/challenges/{CompetitionSite.Slug}/submissions");
        var info = await anonymous.GetFromJsonAsync<JsonElement>($"/api/challenges/{CompetitionSite.Slug}");
        Assert.Equal(JsonValueKind.Null, mine.GetProperty("privateScore").ValueKind);
        Assert.All(list.EnumerateArray(), s => Assert.Equal(JsonValueKind.Null, s.GetProperty("privateScore").ValueKind));
        Assert.False(info.GetProperty("privateRevealed").GetBoolean());
        Assert.Equal("running", info.GetProperty("phase").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.GetAsync(privateBoard)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await site.Ada.Api.GetAsync(privateBoard)).StatusCode);
        await using (var db = site.Factory.OpenDbContext())
        {
            Assert.Null((await db.Competitions.SingleAsync()).PrivateRevealedAtUtc);
            // A reveal left from before a later end (written by anything but the edit form) hides nothing less.
            await db.Competitions.ExecuteUpdateAsync(c => c.SetProperty(x => x.PrivateRevealedAtUtc, DateTime.UtcNow.AddHours(-2)));
        }
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.GetAsync(privateBoard)).StatusCode);
        Assert.Equal(JsonValueKind.Null, (await site.Ada.Api.GetFromJsonAsync<JsonElement>($"/api/submissions/{id}")).GetProperty("privateScore").ValueKind);
    }

    [DatabaseFact]
    public async Task A_lease_answers_only_the_worker_that_took_it()
    {
        await using var site = await BaselineSite.StartAsync(trainCount: 30, testCount: 10, provider: provider);
        var run = await site.QueueAsync();
        using var worker = site.WorkerClient();
        var lease = await BaselineSite.LeaseAsync(worker);
        var leaseId = lease.GetProperty("leaseId").GetString()!;
        var fileUrl = lease.GetProperty("files")[0].GetProperty("url").GetString()!;

        // Another organizer's worker, holding the lease id.
        var otto = await site.Site.AccountAsync("otto");
        await using (var scope = site.Factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            await users.AddToRoleAsync((await users.FindByIdAsync(otto.UserId))!, Roles.Organizer);
        }
        var ottoPrincipal = CoOrganizerPrincipal(otto.UserId);
        var foreignToken = (await site.Site.Get<BaselineService>().CreateWorkerAsync("foreign", ottoPrincipal))!.Secret;
        using var foreign = site.WorkerClient(foreignToken);
        Assert.Equal(HttpStatusCode.OK, (await foreign.PostAsJsonAsync("/api/workers/register", new { machine = "elsewhere" })).StatusCode);
        var before = await site.RunAsync(run.Id);

        var report = await foreign.SendAsync(BaselineSite.WithLease(HttpMethod.Post, $"/api/workers/runs/{run.Id}/report", leaseId,
            JsonContent.Create(new { progress = Array.Empty<object>(), log = new[] { "not mine" } })));
        var download = await foreign.SendAsync(BaselineSite.WithLease(HttpMethod.Get, fileUrl, leaseId));
        var upload = await foreign.SendAsync(BaselineSite.WithLease(HttpMethod.Post, $"/api/workers/runs/{run.Id}/predictions?fileName=p.csv", leaseId, new StringContent("Id,Category\n0,0\n")));
        var fail = await foreign.SendAsync(BaselineSite.WithLease(HttpMethod.Post, $"/api/workers/runs/{run.Id}/fail", leaseId, JsonContent.Create(new { message = "stop", log = Array.Empty<string>() })));
        var release = await foreign.SendAsync(BaselineSite.WithLease(HttpMethod.Post, $"/api/workers/runs/{run.Id}/release", leaseId));

        Assert.Equal(HttpStatusCode.NotFound, report.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, download.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, upload.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, fail.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, release.StatusCode);
        var after = await site.RunAsync(run.Id);
        Assert.Equal(BaselineRunStatus.Running, after.Status);
        Assert.Equal(leaseId, after.LeaseId);
        Assert.Equal(before.LeaseExpiresAtUtc, after.LeaseExpiresAtUtc);
        Assert.Equal(before.Log, after.Log);
        Assert.Null(after.SubmissionId);
        // The worker that took the lease still holds it.
        var own = await worker.SendAsync(BaselineSite.WithLease(HttpMethod.Post, $"/api/workers/runs/{run.Id}/report", leaseId,
            JsonContent.Create(new { progress = Array.Empty<object>(), log = new[] { "mine" } })));
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await worker.SendAsync(BaselineSite.WithLease(HttpMethod.Get, fileUrl, leaseId))).StatusCode);
    }

    [DatabaseFact]
    public async Task Two_runs_of_one_model_finishing_at_once_share_one_baseline_team()
    {
        await using var site = await BaselineSite.StartAsync(trainCount: 30, testCount: 10, provider: provider);
        var runs = new[] { await site.QueueAsync(), await site.QueueAsync() };
        var second = (await site.Site.Get<BaselineService>().CreateWorkerAsync("second", site.Site.Organizer.Principal))!.Secret;
        using var first = site.WorkerClient();
        using var other = site.WorkerClient(second);
        var leases = new[] { await BaselineSite.LeaseAsync(first), await BaselineSite.LeaseAsync(other) };
        var csv = new StringBuilder("Id,Category\n");
        for (var i = 0; i < site.TestCount; i++)
        {
            csv.Append($"{i},0\n");
        }

        var uploads = await Task.WhenAll(new[] { first, other }.Select((worker, i) => Task.Run(() => worker.SendAsync(BaselineSite.WithLease(HttpMethod.Post,
            $"/api/workers/runs/{leases[i].GetProperty("runId").GetInt64()}/predictions?fileName=p.csv", leases[i].GetProperty("leaseId").GetString()!, new StringContent(csv.ToString()))))));

        Assert.All(uploads, u => Assert.Equal(HttpStatusCode.Accepted, u.StatusCode));
        await using var db = site.Factory.OpenDbContext();
        var team = await db.Teams.SingleAsync(t => t.IsBaseline);
        Assert.Equal(2, await db.Submissions.CountAsync(s => s.TeamId == team.Id));
        Assert.All(runs, r => Assert.Equal(BaselineRunStatus.Succeeded, db.BaselineRuns.Single(x => x.Id == r.Id).Status));
    }

    [DatabaseFact]
    public async Task Revoking_the_organizer_role_takes_effect_on_the_next_cookie_request()
    {
        await using var site = await CompetitionSite.StartAsync(provider: provider);
        var oscar = await site.AccountAsync("oscar");
        await SetOrganizerAsync(site, oscar.UserId, true);
        Assert.Null(await site.Get<CompetitionService>().AddCoOrganizerAsync(site.Challenge.Id, oscar.Email, site.Organizer.Principal));
        var browser = site.Factory.CreateBrowserLikeClient();
        Assert.Equal(HttpStatusCode.Redirect, (await site.Factory.LogInAsync(browser, oscar.Email, "correct-horse-1")).StatusCode);
        var export = $"/api/challenges/{CompetitionSite.Slug}/submissions.csv";
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(export)).StatusCode);

        await SetOrganizerAsync(site, oscar.UserId, false);

        Assert.NotEqual(HttpStatusCode.OK, (await browser.GetAsync(export)).StatusCode);
        var manage = await browser.GetAsync($"/challenges/{CompetitionSite.Slug}/manage");
        Assert.Equal(HttpStatusCode.Redirect, manage.StatusCode);
        Assert.StartsWith("/account/access-denied", manage.Headers.Location!.PathAndQuery);

        // Granted again, the same cookie serves at once; the session itself was never ended.
        await SetOrganizerAsync(site, oscar.UserId, true);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(export)).StatusCode);
    }

    [DatabaseFact]
    public async Task An_open_circuit_s_session_check_sees_a_revoked_role_and_a_changed_stamp()
    {
        await using var site = await CompetitionSite.StartAsync(provider: provider);
        var oscar = await site.AccountAsync("oscar");
        await SetOrganizerAsync(site, oscar.UserId, true);
        await using var scope = site.Factory.Services.CreateAsyncScope();
        // The circuit's provider is the revalidating one, holding the principal of the sign-in.
        Assert.IsType<Account.RevalidatingSessionStateProvider>(scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider>());
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var signIn = scope.ServiceProvider.GetRequiredService<SignInManager<AppUser>>();
        var principal = await signIn.CreateUserPrincipalAsync((await users.FindByIdAsync(oscar.UserId))!);
        Assert.Equal(Account.SessionState.Valid, await Account.CookieRoleCheck.CheckAsync(scope.ServiceProvider, principal, default));

        await SetOrganizerAsync(site, oscar.UserId, false);
        Assert.Equal(Account.SessionState.RolesChanged, await Account.CookieRoleCheck.CheckAsync(scope.ServiceProvider, principal, default));

        await using (var other = site.Factory.Services.CreateAsyncScope())
        {
            var fresh = other.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            Assert.True((await fresh.UpdateSecurityStampAsync((await fresh.FindByIdAsync(oscar.UserId))!)).Succeeded);
        }
        Assert.Equal(Account.SessionState.Ended, await Account.CookieRoleCheck.CheckAsync(scope.ServiceProvider, principal, default));
    }

    [DatabaseFact]
    public async Task A_regression_file_whose_score_overflows_is_refused_with_a_message_and_every_read_still_answers()
    {
        await using var site = await CompetitionSite.StartAsync(provider: provider);
        var task = (await site.Get<TaskService>().SaveAsync(site.Challenge.Id, null,
            new TaskInput { Slug = "depth", Title = "Depth", Kind = Challenge.Scoring.TaskKind.Regression, Metric = "rmse", TargetColumn = "Depth" }, site.Organizer.Principal)).Saved!;
        var solution = new StringBuilder("Id,Depth,Usage\n");
        for (var row = 0; row < 20; row++)
        {
            solution.Append($"{row},{row * 1.5},{(row % 2 == 0 ? "Public" : "Private")}\n");
        }
        var huge = Encoding.UTF8.GetString(Hostile.HostileCorpus.Bytes("csv/overflowing-regression.csv"));
        Assert.True((await site.Get<TaskService>().UploadSolutionAsync(task.Id, new MemoryStream(Encoding.UTF8.GetBytes(solution.ToString())), "solution.csv", site.Organizer.Principal)).Accepted);

        var id = await SubmittedAndScoredAsync(site, site.Ada, huge, "depth");

        var single = await site.Ada.Api.GetAsync($"/api/submissions/{id}");
        Assert.Equal(HttpStatusCode.OK, single.StatusCode);
        var body = await single.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("rejected", body.GetProperty("status").GetString());
        Assert.Contains("not a finite number", body.GetProperty("errors")[0].GetProperty("message").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("publicScore").ValueKind);
        await using (var db = site.Factory.OpenDbContext())
        {
            var stored = await db.Submissions.SingleAsync(s => s.Id == id);
            Assert.Null(stored.PublicScore);
            Assert.Null(stored.PrivateScore);
            Assert.False(stored.CountsAgainstQuota);
        }

        // A row stored with an infinite score before the scorer refused them still reads.
        var legacy = await SubmittedAndScoredAsync(site, site.Ada, CompetitionSite.PerfectCsv());
        await using (var db = site.Factory.OpenDbContext())
        {
            await db.Submissions.Where(s => s.Id == legacy).ExecuteUpdateAsync(s => s
                .SetProperty(x => x.PublicScore, double.PositiveInfinity)
                .SetProperty(x => x.PrivateScore, double.PositiveInfinity));
        }
        Assert.Equal(HttpStatusCode.OK, (await site.Ada.Api.GetAsync($"/api/submissions/{legacy}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await site.Ada.Api.GetAsync($"/api/challenges/{CompetitionSite.Slug}/submissions")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await site.Organizer.Api.GetAsync($"/api/challenges/{CompetitionSite.Slug}/submissions.csv")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await site.Organizer.Browser.GetAsync($"/challenges/{CompetitionSite.Slug}/manage")).StatusCode);
    }

    private static System.Security.Claims.ClaimsPrincipal CoOrganizerPrincipal(string userId) =>
        new(new System.Security.Claims.ClaimsIdentity(
            [new(System.Security.Claims.ClaimTypes.NameIdentifier, userId), new(System.Security.Claims.ClaimTypes.Role, Roles.Organizer)], "test"));

    // As the admin's Users page does it.
    private static async Task SetOrganizerAsync(CompetitionSite site, string userId, bool organizer)
    {
        await using var scope = site.Factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = (await users.FindByIdAsync(userId))!;
        var changed = organizer ? await users.AddToRoleAsync(user, Roles.Organizer) : await users.RemoveFromRoleAsync(user, Roles.Organizer);
        Assert.True(changed.Succeeded);
    }
}

public sealed class LifecycleHardeningTestsOnSqlite() : LifecycleHardeningTests(DatabaseProviders.Sqlite);

public sealed class LifecycleHardeningTestsOnPostgres() : LifecycleHardeningTests(DatabaseProviders.Postgres), IPostgresTests;
