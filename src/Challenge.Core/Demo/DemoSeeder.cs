using System.Globalization;
using System.Security.Claims;
using System.Text;
using Challenge.Core.Accounts;
using Challenge.Core.Challenges;
using Challenge.Core.Data;
using Challenge.Core.Files;
using Challenge.Core.Submissions;
using Challenge.Core.Tasks;
using Challenge.Core.Teams;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Challenge.Core.Demo;

// A newcomer's first page should show a live challenge: an empty database gets the land-cover
// challenge with a hidden 20,000-row solution, a few teams with two weeks of submissions scored by
// the real scorer, and a baseline row. Everything is generated here, seeded, so no data file is
// committed.
public sealed class DemoSeeder(
    IServiceScopeFactory scopes,
    TaskService tasks,
    IFileStore files,
    SubmissionScorer scorer,
    TimeProvider clock,
    ILogger<DemoSeeder> logger)
{
    public const string DemoSlug = "eurosat-land-cover";
    public const string DemoTaskSlug = "land-cover";
    public const int TestImages = 20_000;

    public static readonly string[] Classes =
        ["AnnualCrop", "Forest", "HerbaceousVegetation", "Highway", "Industrial", "Pasture", "PermanentCrop", "Residential", "River", "SeaLake"];

    // Team name, accuracies of its successive submissions (one every couple of days).
    private static readonly (string Team, double[] Accuracies)[] History =
    [
        ("Pseudo-Labellers", [0.62, 0.71, 0.78, 0.83, 0.87, 0.894]),
        ("SimCLR Squad", [0.55, 0.69, 0.80, 0.86, 0.881]),
        ("Cluster & Conquer", [0.58, 0.66, 0.74, 0.79]),
        ("Transfer Learners", [0.72, 0.81, 0.85, 0.862]),
        ("Random Forest Rangers", [0.51, 0.57, 0.61]),
        ("Late Joiners", [0.68]),
    ];

    private static readonly ClaimsPrincipal System = new(new ClaimsIdentity([new Claim(ClaimTypes.Role, Roles.Admin)], "system"));

    public async Task SeedAsync(ChallengeDbContext db, CancellationToken cancellationToken)
    {
        if (await db.Competitions.AnyAsync(cancellationToken))
        {
            return;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var start = now.Date.AddDays(-14);
        var competition = new Competition
        {
            Slug = DemoSlug,
            Title = "EuroSAT land cover from few labels",
            Subtitle = "Classify 64×64 Sentinel-2 tiles into 10 land-cover classes with only 500 labelled images.",
            OverviewMarkdown = OverviewMarkdown,
            EvaluationMarkdown = EvaluationMarkdown,
            RulesMarkdown = RulesMarkdown,
            StartsAtUtc = start,
            EndsAtUtc = now.Date.AddDays(45),
            TeamMergerDeadlineUtc = now.Date.AddDays(38),
            Status = CompetitionStatus.Published,
            CreatedAtUtc = now,
            UpdatedAtUtc = now,
        };
        db.Competitions.Add(competition);
        await db.SaveChangesAsync(cancellationToken);

        var task = (await tasks.SaveAsync(competition.Id, null, new TaskInput { Slug = DemoTaskSlug, Title = "Land cover", Metric = "accuracy", BootstrapEnabled = true }, System, cancellationToken)).Saved!;
        var truth = Enumerable.Range(0, TestImages).Select(i => Classes[(int)(Mix(i) % (ulong)Classes.Length)]).ToArray();
        var solution = new StringBuilder("Id,Category\n");
        for (var i = 0; i < truth.Length; i++)
        {
            solution.Append(i.ToString(CultureInfo.InvariantCulture)).Append(',').Append(truth[i]).Append('\n');
        }
        await tasks.UploadSolutionAsync(task.Id, new MemoryStream(Encoding.UTF8.GetBytes(solution.ToString())), "solution.csv", System, cancellationToken);

        var submissionIds = new List<long>();
        var teamIndex = 0;
        foreach (var (teamName, accuracies) in History)
        {
            var team = await DemoTeamAsync(db, competition, teamName, isBaseline: false, now, cancellationToken);
            for (var k = 0; k < accuracies.Length; k++)
            {
                var at = start.AddDays(2 * k + teamIndex % 3).AddHours(9 + 2 * teamIndex + k);
                submissionIds.Add(await StoreAsync(db, competition, task, team, $"attempt-{k + 1}.csv",
                    Predictions(truth, row => Mix(row * 31 + teamIndex * 7919 + k) % 1000 < accuracies[k] * 1000, teamIndex + k), at, cancellationToken));
            }
            teamIndex++;
        }

        var baseline = await DemoTeamAsync(db, competition, "Majority class", isBaseline: true, now, cancellationToken);
        var majority = truth.GroupBy(c => c).OrderByDescending(g => g.Count()).First().Key;
        submissionIds.Add(await StoreAsync(db, competition, task, baseline, "majority.csv", Predictions(truth, _ => false, 0, constant: majority), start, cancellationToken));

        foreach (var id in submissionIds)
        {
            await scorer.ScoreAsync(id, cancellationToken);
        }
        logger.LogInformation("Seeded the demo challenge '{Slug}' with {Teams} teams and {Submissions} scored submissions", DemoSlug, History.Length, submissionIds.Count);
    }

    private async Task<Team> DemoTeamAsync(ChallengeDbContext db, Competition competition, string name, bool isBaseline, DateTime now, CancellationToken cancellationToken)
    {
        var team = new Team { CompetitionId = competition.Id, Name = name, InviteCode = Guid.NewGuid().ToString("N")[..16], CreatedAtUtc = now, IsBaseline = isBaseline };
        if (!isBaseline)
        {
            // Demo members have no password at all, so nobody can sign in as them.
            await using var scope = scopes.CreateAsyncScope();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            var handle = new string(name.Where(char.IsLetterOrDigit).ToArray()).ToLowerInvariant();
            var user = new AppUser { UserName = $"{handle}@demo.invalid", Email = $"{handle}@demo.invalid", DisplayName = $"{name} (demo)", CreatedAtUtc = now };
            await users.CreateAsync(user);
            db.Participations.Add(new Participation { CompetitionId = competition.Id, UserId = user.Id, AcceptedRulesAtUtc = now });
            team.Members.Add(new TeamMember { CompetitionId = competition.Id, UserId = user.Id, JoinedAtUtc = competition.StartsAtUtc });
        }
        db.Teams.Add(team);
        await db.SaveChangesAsync(cancellationToken);
        return team;
    }

    private async Task<long> StoreAsync(ChallengeDbContext db, Competition competition, CompetitionTask task, Team team, string fileName, string csv, DateTime atUtc, CancellationToken cancellationToken)
    {
        var stored = await files.SaveAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv)), "submissions", task.MaxSubmissionBytes, cancellationToken);
        var submission = new Submission
        {
            CompetitionId = competition.Id,
            TaskId = task.Id,
            TeamId = team.Id,
            SubmittedById = team.Members.FirstOrDefault()?.UserId ?? "baseline",
            StoredFile = new StoredFile { StorageKey = stored.StorageKey, OriginalName = fileName, Length = stored.Length, Sha256 = stored.Sha256, CreatedAtUtc = atUtc },
            FileName = fileName,
            Description = team.IsBaseline ? "Predicts the most frequent class everywhere." : "",
            Status = SubmissionStatus.Queued,
            CreatedAtUtc = atUtc,
            QuotaDay = SubmissionService.QuotaDayOf(atUtc),
            CountsAgainstQuota = !team.IsBaseline,
            IsBaseline = team.IsBaseline,
        };
        db.Submissions.Add(submission);
        await db.SaveChangesAsync(cancellationToken);
        return submission.Id;
    }

    private static string Predictions(string[] truth, Func<int, bool> right, int salt, string? constant = null)
    {
        var csv = new StringBuilder("Id,Category\n");
        for (var i = 0; i < truth.Length; i++)
        {
            var guess = constant ?? (right(i) ? truth[i] : Classes[(int)(Mix(i * 131 + salt) % (ulong)Classes.Length)]);
            csv.Append(i.ToString(CultureInfo.InvariantCulture)).Append(',').Append(guess).Append('\n');
        }
        return csv.ToString();
    }

    // SplitMix64: the same demo on every machine.
    private static ulong Mix(long value)
    {
        var z = (ulong)value + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private const string OverviewMarkdown = """
        ## The task

        Each image is a 64×64 RGB tile from the Sentinel-2 satellites. Predict its land-cover class:

        | Id | Class | Id | Class |
        |---:|---|---:|---|
        | 0 | AnnualCrop | 5 | Pasture |
        | 1 | Forest | 6 | PermanentCrop |
        | 2 | HerbaceousVegetation | 7 | Residential |
        | 3 | Highway | 8 | River |
        | 4 | Industrial | 9 | SeaLake |

        ## The catch: very few labels

        * `eurosat_train.npz`: 500 labelled images
        * `eurosat_valid.npz`: 1,500 labelled images, **for validation only** (training on them is forbidden)
        * `eurosat_unsup.npz`: 5,000 unlabelled images
        * `bigearthnet_rgb.npz`: 95,000 unlabelled images with a slightly different colour correction
        * `test.npz`: 20,000 images to classify

        Pseudo-labelling, self-supervision, clustering and transfer learning are all welcome.
        (This demo copy carries no image files: its teams and scores are generated.)

        ## Submitting

        Upload a CSV with a header `Id,Category`: `Id` is the index in the test array and `Category`
        the class name. One row per test image, no duplicate Ids.
        """;

    private const string EvaluationMarkdown = """
        Submissions are scored by **accuracy**: the share of the 20,000 test images whose class is right.
        About 30% of the test images decide the public leaderboard while the challenge runs; the other
        70% decide the final ranking, revealed after the deadline.
        """;

    private const string RulesMarkdown = """
        * Train only on `eurosat_train.npz` and the unlabelled sets; `eurosat_valid.npz` is for validation.
        * No hand-labelling of test images.
        * Share code publicly only after the end.
        """;
}
