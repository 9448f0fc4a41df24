using System.Security.Claims;
using System.Text;
using Challenge.Core.Accounts;
using Challenge.Core.Challenges;
using Challenge.Core.Submissions;
using Challenge.Core.Tasks;
using Challenge.Core.Teams;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Challenge.Core.Tests;

// A running challenge with a land-cover task whose hidden solution has 200 rows, built through the
// same services the web app uses.
public sealed class CompetitionWorld
{
    public static readonly string[] Classes = ["AnnualCrop", "Forest", "HerbaceousVegetation", "Highway", "Industrial", "Pasture", "PermanentCrop", "Residential", "River", "SeaLake"];
    public const int Rows = 200;

    private CompetitionWorld(CoreHarness harness, Competition competition, CompetitionTask task, ClaimsPrincipal organizer)
    {
        Harness = harness;
        Competition = competition;
        Task = task;
        Organizer = organizer;
    }

    public CoreHarness Harness { get; }
    public Competition Competition { get; }
    public CompetitionTask Task { get; }
    public ClaimsPrincipal Organizer { get; }

    public static string Truth(int row) => Classes[(row * 7 + row / 3) % Classes.Length];

    public static string SolutionCsv(Func<int, string>? truth = null)
    {
        truth ??= Truth;
        var csv = new StringBuilder("Id,Category,Usage\n");
        for (var row = 0; row < Rows; row++)
        {
            csv.Append(row).Append(',').Append(truth(row)).Append(',').Append(row % 2 == 0 ? "Public" : "Private").Append('\n');
        }
        return csv.ToString();
    }

    // Correct on the rows where right(row) is true, wrong elsewhere.
    public static string SubmissionCsv(Func<int, bool> right)
    {
        var csv = new StringBuilder("Id,Category\n");
        for (var row = 0; row < Rows; row++)
        {
            var truth = Truth(row);
            csv.Append(row).Append(',').Append(right(row) ? truth : Classes[(Array.IndexOf(Classes, truth) + 1) % Classes.Length]).Append('\n');
        }
        return csv.ToString();
    }

    public static async Task<CompetitionWorld> CreateAsync(CoreHarness harness, int dailyLimit = 5, string metric = "accuracy")
    {
        var organizer = CoreHarness.User("organizer", Roles.Organizer);
        var competitions = harness.Get<CompetitionService>();
        var created = await competitions.CreateAsync(new CompetitionInput
        {
            Slug = "land-cover",
            Title = "Land cover",
            StartsAtUtc = DateTime.UtcNow.AddDays(-3),
            EndsAtUtc = DateTime.UtcNow.AddDays(30),
            Published = true,
        }, organizer);
        await using (var db = harness.CreateDbContext())
        {
            await db.Competitions.Where(c => c.Id == created.Saved!.Id).ExecuteUpdateAsync(c => c.SetProperty(x => x.DailySubmissionLimit, dailyLimit));
        }
        var task = (await harness.Get<TaskService>().SaveAsync(created.Saved!.Id, null, new TaskInput { Slug = "classes", Title = "Classes", Metric = metric }, organizer)).Saved!;
        var upload = await harness.Get<TaskService>().UploadSolutionAsync(task.Id, Stream(SolutionCsv()), "solution.csv", organizer);
        Assert.True(upload.Accepted, string.Join("; ", upload.Report.Errors.Select(e => e.Message)));
        await using var check = harness.CreateDbContext();
        return new CompetitionWorld(harness, await check.Competitions.SingleAsync(c => c.Id == created.Saved.Id),
            await check.Tasks.SingleAsync(t => t.Id == task.Id), organizer);
    }

    public static MemoryStream Stream(string text) => new(Encoding.UTF8.GetBytes(text));

    public async Task<string> RegisterAsync(string name)
    {
        await using var scope = Harness.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = new AppUser { UserName = $"{name}@example.org", Email = $"{name}@example.org", DisplayName = name, CreatedAtUtc = DateTime.UtcNow };
        var result = await users.CreateAsync(user, "correct-horse-1");
        Assert.True(result.Succeeded);
        return user.Id;
    }

    public async Task<(string UserId, Team Team)> TeamAsync(string name)
    {
        var userId = await RegisterAsync(name);
        var teams = Harness.Get<TeamService>();
        await teams.AcceptRulesAsync(Competition.Id, userId);
        var team = await teams.CreateAsync(Competition.Id, userId, $"Team {name}");
        Assert.True(team.Succeeded, team.Error);
        return (userId, team.Team!);
    }

    public Task<SubmitResult> SubmitAsync(string userId, string csv) =>
        Harness.Get<SubmissionService>().SubmitAsync(Task.Id, userId, Stream(csv), "predictions.csv", "");

    public async Task<Submission> WaitForScoringAsync(long submissionId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            await using var db = Harness.CreateDbContext();
            var submission = await db.Submissions.AsNoTracking().SingleAsync(s => s.Id == submissionId);
            if (submission.Status is not (SubmissionStatus.Queued or SubmissionStatus.Scoring))
            {
                return submission;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Submission {submissionId} is still {submission.Status} after 60 s.");
            }
            await System.Threading.Tasks.Task.Delay(50);
        }
    }
}
