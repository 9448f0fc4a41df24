using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using Challenge.Core.Accounts;
using Challenge.Core.ApiTokens;
using Challenge.Core.Challenges;
using Challenge.Core.Data;
using Challenge.Core.Submissions;
using Challenge.Core.Tasks;
using Challenge.Core.Teams;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Challenge.Web.Tests;

// A running challenge owned by an organizer, with two participants in two teams, each holding an
// API token and a browser-like cookie session; everything made through the real services.
public sealed class CompetitionSite : IAsyncDisposable
{
    public const string Slug = "floor";
    public const string TaskSlug = "floor-type";
    public static readonly string[] Classes = ["sandy", "muddy", "muddy-sand", "reef"];

    private CompetitionSite(ChallengeWebFactory factory) => Factory = factory;

    public ChallengeWebFactory Factory { get; }
    public Participant Organizer { get; private set; } = default!;
    public Participant Ada { get; private set; } = default!;
    public Participant Bob { get; private set; } = default!;
    public Competition Challenge { get; private set; } = default!;
    public CompetitionTask Task { get; private set; } = default!;

    public sealed record Participant(string UserId, string Email, string Token, HttpClient Api, HttpClient Browser, ClaimsPrincipal Principal, int? TeamId);

    public static string Truth(int row) => Classes[(row * 3 + row / 7) % Classes.Length];

    public static string SolutionCsv()
    {
        var csv = new StringBuilder("Id,Category,Usage\n");
        for (var row = 0; row < 40; row++)
        {
            csv.Append($"{row},{Truth(row)},{(row % 2 == 0 ? "Public" : "Private")}\n");
        }
        return csv.ToString();
    }

    public static string PerfectCsv()
    {
        var csv = new StringBuilder("Id,Category\n");
        for (var row = 0; row < 40; row++)
        {
            csv.Append($"{row},{Truth(row)}\n");
        }
        return csv.ToString();
    }

    public static async Task<CompetitionSite> StartAsync(int dailyLimit = 5, string provider = DatabaseProviders.Sqlite, Action<ChallengeWebFactory>? configure = null)
    {
        var factory = await ChallengeWebFactory.CreateAsync(provider);
        configure?.Invoke(factory);
        var site = new CompetitionSite(factory);
        site.Organizer = await site.AccountAsync("olga");
        site.Challenge = (await site.Get<CompetitionService>().CreateAsync(new CompetitionInput
        {
            Slug = Slug,
            Title = "Sea floor",
            StartsAtUtc = DateTime.UtcNow.AddDays(-2),
            EndsAtUtc = DateTime.UtcNow.AddDays(20),
            Published = true,
            DailySubmissionLimit = dailyLimit,
        }, site.Organizer.Principal)).Saved!;
        site.Task = (await site.Get<TaskService>().SaveAsync(site.Challenge.Id, null, new TaskInput { Slug = TaskSlug, Title = "Floor type", MaxSubmissionMegabytes = 1 }, site.Organizer.Principal)).Saved!;
        var upload = await site.Get<TaskService>().UploadSolutionAsync(site.Task.Id, new MemoryStream(Encoding.UTF8.GetBytes(SolutionCsv())), "solution.csv", site.Organizer.Principal);
        Assert.True(upload.Accepted);
        site.Task = (await site.Get<TaskService>().ListAsync(site.Challenge.Id)).Single();
        site.Ada = await site.WithTeamAsync(await site.AccountAsync("ada"), "Abyssal");
        site.Bob = await site.WithTeamAsync(await site.AccountAsync("bob"), "Benthic");
        return site;
    }

    public T Get<T>() where T : notnull => Factory.Services.GetRequiredService<T>();

    public async Task<Participant> AccountAsync(string name)
    {
        var browser = Factory.CreateBrowserLikeClient();
        var email = $"{name}@example.org";
        await Factory.RegisterAsync(browser, email);
        string userId;
        IList<string> roles;
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            var user = (await users.FindByEmailAsync(email))!;
            userId = user.Id;
            roles = await users.GetRolesAsync(user);
        }
        var token = (await Get<ApiTokenService>().CreateAsync(userId, "tests"))!.Secret;
        var api = Factory.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var principal = new ClaimsPrincipal(new ClaimsIdentity(
            roles.Select(r => new Claim(ClaimTypes.Role, r)).Append(new Claim(ClaimTypes.NameIdentifier, userId)), "test"));
        return new Participant(userId, email, token, api, browser, principal, null);
    }

    private async Task<Participant> WithTeamAsync(Participant participant, string teamName)
    {
        var teams = Get<TeamService>();
        await teams.AcceptRulesAsync(Challenge.Id, participant.UserId);
        var team = await teams.CreateAsync(Challenge.Id, participant.UserId, teamName);
        return participant with { TeamId = team.Team!.Id };
    }

    public async Task<HttpResponseMessage> SubmitAsync(Participant participant, string csv, string fileName = "predictions.csv") =>
        await participant.Api.PostAsync($"/api/challenges/{Slug}/tasks/{TaskSlug}/submissions?fileName={fileName}", new StringContent(csv, Encoding.UTF8, "text/csv"));

    public async Task<Submission> WaitForScoringAsync(long id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            await using var db = await Get<IDbContextFactory<ChallengeDbContext>>().CreateDbContextAsync();
            var submission = await db.Submissions.AsNoTracking().SingleAsync(s => s.Id == id);
            if (submission.Status is not (SubmissionStatus.Queued or SubmissionStatus.Scoring))
            {
                return submission;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Submission {id} is still {submission.Status}.");
            }
            await System.Threading.Tasks.Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync() => await Factory.DisposeAsync();
}
