using System.Globalization;
using System.IO.Compression;
using System.Security.Claims;
using System.Text;
using Challenge.Core.Accounts;
using Challenge.Core.Annotations;
using Challenge.Core.Baselines;
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
using Microsoft.Extensions.Options;

namespace Challenge.Core.Demo;

// A newcomer's first start should show the four kinds of challenge this server exists for (land cover
// from few labels, the ROV sea floor, plankton probabilities, ocean-plastic annotation), each with
// real files behind every page: an empty database gets them with data generated here from fixed
// seeds (nothing large is committed), teams with two weeks of submissions scored by the real scorer,
// and baseline runs queued for a worker. Demo:Scale shrinks every size for tests.
public sealed partial class DemoSeeder(
    IServiceScopeFactory scopes,
    TaskService tasks,
    IFileStore files,
    SubmissionScorer scorer,
    DataFileService dataFiles,
    AssetSetService assets,
    BaselineService baselines,
    IOptions<DemoOptions> options,
    TimeProvider clock,
    ILogger<DemoSeeder> logger)
{
    // The land-cover case keeps the slug and title of the first demo, which links and bookmarks use.
    public const string DemoSlug = "eurosat-land-cover";
    public const string DemoTaskSlug = "land-cover";

    public static IReadOnlyList<string> Slugs => [DemoSlug, SeaFloorSlug, PlanktonSlug, OceanPlasticSlug];

    // One sentence per case for the home page, in the order of Slugs.
    public static IReadOnlyList<(string Slug, string Name, string Sentence)> Introductions =>
    [
        (DemoSlug, "Land cover from few labels", "satellite tiles in 10 classes with only 50 labels per class and many unlabelled tiles, scored by accuracy, with baselines trained on this server."),
        (SeaFloorSlug, "ROV sea floor", "two tasks on the same underwater frames, floor type and main element, imbalanced and scored by accuracy weighted by the organizers."),
        (PlanktonSlug, "Plankton in 121 classes", "a probability for every class of a plankton taxonomy, scored by log loss, with labels scored along the tree beside it."),
        (OceanPlasticSlug, "Ocean plastic", "an annotation challenge: label object crops, ranked by how many and how well (hidden honeypots), and box river plastic from pre-annotations."),
    ];

    public const string GeneratedNote =
        "*The data of this demo copy is generated (look-alike images drawn from a fixed seed, not the original files); its teams and scores are generated too.*";

    private const string OrganizerEmail = "organizers@demo.invalid";

    private double Scale => options.Value.Scale is > 0 and var scale ? Math.Min(scale, 1) : 1;

    private int Scaled(int full, int minimum) => Math.Max(minimum, (int)Math.Round(full * Scale));

    public async Task SeedAsync(ChallengeDbContext db, CancellationToken cancellationToken)
    {
        if (await db.Competitions.AnyAsync(cancellationToken))
        {
            return;
        }

        var started = System.Diagnostics.Stopwatch.StartNew();
        var now = clock.GetUtcNow().UtcDateTime;
        var organizer = await OrganizerAsync(db, now, cancellationToken);
        var world = new DemoWorld(db, organizer, now, now.Date.AddDays(-14));
        await SeedLandCoverAsync(world, cancellationToken);
        await SeedSeaFloorAsync(world, cancellationToken);
        await SeedPlanktonAsync(world, cancellationToken);
        await SeedOceanPlasticAsync(world, cancellationToken);

        foreach (var id in world.Submissions)
        {
            await scorer.ScoreAsync(id, cancellationToken);
        }
        logger.LogInformation("Seeded {Challenges} demo challenges with {Submissions} scored submissions and {Runs} queued baseline runs in {Seconds:0.0} s (scale {Scale})",
            Slugs.Count, world.Submissions.Count, world.BaselineRuns, started.Elapsed.TotalSeconds, Scale);
    }

    // What the four cases share while they are seeded.
    private sealed class DemoWorld(ChallengeDbContext db, ClaimsPrincipal organizer, DateTime now, DateTime start)
    {
        public ChallengeDbContext Db { get; } = db;
        public ClaimsPrincipal Organizer { get; } = organizer;
        public DateTime Now { get; } = now;
        public DateTime Start { get; } = start;
        public List<long> Submissions { get; } = [];
        public int BaselineRuns { get; set; }
    }

    // The demo challenges belong to an account with no password, so nobody can sign in as it; the
    // services check the organizer's rights as for anyone, through an administrator's principal.
    private async Task<ClaimsPrincipal> OrganizerAsync(ChallengeDbContext db, DateTime now, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = await users.FindByEmailAsync(OrganizerEmail);
        if (user is null)
        {
            user = new AppUser { UserName = OrganizerEmail, Email = OrganizerEmail, DisplayName = "Demo organizers", CreatedAtUtc = now };
            Check((await users.CreateAsync(user)).Succeeded, "the demo organizer account");
        }
        return new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Role, Roles.Admin), new Claim(ClaimTypes.NameIdentifier, user.Id)], "demo"));
    }

    private static async Task<Competition> ChallengeAsync(DemoWorld world, string slug, string title, string subtitle,
        string overview, string data, string evaluation, string rules, CancellationToken cancellationToken)
    {
        var competition = new Competition
        {
            Slug = slug,
            Title = title,
            Subtitle = subtitle,
            OverviewMarkdown = GeneratedNote + "\n\n" + overview,
            DataMarkdown = GeneratedNote + "\n\n" + data,
            EvaluationMarkdown = GeneratedNote + "\n\n" + evaluation,
            RulesMarkdown = GeneratedNote + "\n\n" + rules,
            StartsAtUtc = world.Start,
            EndsAtUtc = world.Now.Date.AddDays(45),
            TeamMergerDeadlineUtc = world.Now.Date.AddDays(38),
            Status = CompetitionStatus.Published,
            OwnerId = world.Organizer.FindFirstValue(ClaimTypes.NameIdentifier),
            CreatedAtUtc = world.Now,
            UpdatedAtUtc = world.Now,
        };
        world.Db.Competitions.Add(competition);
        await world.Db.SaveChangesAsync(cancellationToken);
        return competition;
    }

    private async Task<CompetitionTask> TaskAsync(DemoWorld world, Competition competition, TaskInput input, CancellationToken cancellationToken)
    {
        var result = await tasks.SaveAsync(competition.Id, null, input, world.Organizer, cancellationToken);
        Check(result.Succeeded, $"task '{input.Slug}': {string.Join("; ", result.Errors.Select(e => $"{e.Key}: {e.Value}"))}");
        return result.Saved!;
    }

    private async Task SolutionAsync(DemoWorld world, CompetitionTask task, string csv, CancellationToken cancellationToken)
    {
        var result = await tasks.UploadSolutionAsync(task.Id, new MemoryStream(Encoding.UTF8.GetBytes(csv)), "solution.csv", world.Organizer, cancellationToken);
        Check(result.Accepted, $"the solution of '{task.Slug}': {string.Join("; ", result.Report.Errors.Take(3))}");
    }

    private async Task<int> DataFileAsync(DemoWorld world, Competition competition, string name, byte[] content, string description, CancellationToken cancellationToken)
    {
        var (file, error) = await dataFiles.UploadAsync(competition.Id, new MemoryStream(content), name, description, world.Organizer, cancellationToken);
        Check(file is not null, $"data file '{name}': {error}");
        return file!.Id;
    }

    private async Task BaselineAsync(DemoWorld world, Competition competition, CompetitionTask task, string model, int epochs, int trainFileId, int testFileId, int? unlabelledFileId, CancellationToken cancellationToken)
    {
        var (run, errors) = await baselines.CreateAsync(competition.Id, new BaselineRunInput
        {
            TaskId = task.Id, Model = model, Epochs = epochs, Seed = 7, TrainFileId = trainFileId, TestFileId = testFileId, UnlabelledFileId = unlabelledFileId,
        }, world.Organizer, cancellationToken);
        Check(run is not null, $"baseline {model} on '{task.Slug}': {string.Join("; ", errors.Values)}");
        world.BaselineRuns++;
    }

    private async Task<Team> TeamAsync(DemoWorld world, Competition competition, string name, CancellationToken cancellationToken)
    {
        var team = new Team { CompetitionId = competition.Id, Name = name, InviteCode = Guid.NewGuid().ToString("N")[..16], CreatedAtUtc = world.Now };
        // Demo members have no password at all, so nobody can sign in as them.
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var handle = new string(name.Where(char.IsLetterOrDigit).ToArray()).ToLowerInvariant();
        var email = $"{handle}.{competition.Slug}@demo.invalid";
        var user = new AppUser { UserName = email, Email = email, DisplayName = $"{name} (demo)", CreatedAtUtc = world.Now };
        Check((await users.CreateAsync(user)).Succeeded, $"the account of team '{name}'");
        world.Db.Participations.Add(new Participation { CompetitionId = competition.Id, UserId = user.Id, AcceptedRulesAtUtc = world.Now });
        team.Members.Add(new TeamMember { CompetitionId = competition.Id, UserId = user.Id, JoinedAtUtc = competition.StartsAtUtc });
        world.Db.Teams.Add(team);
        await world.Db.SaveChangesAsync(cancellationToken);
        return team;
    }

    // Stored as SubmissionService stores an upload, then scored by the real scorer once all are in.
    private async Task SubmitAsync(DemoWorld world, CompetitionTask task, Team team, string fileName, byte[] content, string description, DateTime atUtc, CancellationToken cancellationToken)
    {
        var stored = await files.SaveAsync(new MemoryStream(content), "submissions", task.MaxSubmissionBytes, cancellationToken);
        var submission = new Submission
        {
            CompetitionId = task.CompetitionId,
            TaskId = task.Id,
            TeamId = team.Id,
            SubmittedById = team.Members[0].UserId,
            StoredFile = new StoredFile { StorageKey = stored.StorageKey, OriginalName = fileName, Length = stored.Length, Sha256 = stored.Sha256, CreatedAtUtc = atUtc },
            FileName = fileName,
            Description = description,
            Status = SubmissionStatus.Queued,
            CreatedAtUtc = atUtc,
            QuotaDay = SubmissionService.QuotaDayOf(atUtc),
            CountsAgainstQuota = true,
        };
        world.Db.Submissions.Add(submission);
        await world.Db.SaveChangesAsync(cancellationToken);
        world.Submissions.Add(submission.Id);
    }

    // The k-th submission of the i-th team: spread over the two weeks, at working hours.
    private static DateTime SubmittedAt(DemoWorld world, int teamIndex, int k, int count) =>
        world.Start.AddDays(Math.Clamp((int)Math.Round((k + 0.5 + 0.3 * (teamIndex % 3)) * 13.0 / count), 0, 13)).AddHours(9 + (2 * teamIndex + 3 * k) % 10).AddMinutes(7 * teamIndex);

    // A label file that is right on about the given share of rows; the wrong rows take another class.
    private static byte[] LabelPredictions(IReadOnlyList<string> truth, IReadOnlyList<string> classes, double accuracy, int salt, string idColumn = "Id", string targetColumn = "Category")
    {
        var random = new Random(salt);
        var csv = new StringBuilder($"{idColumn},{targetColumn}\n");
        for (var i = 0; i < truth.Count; i++)
        {
            var guess = random.NextDouble() < accuracy ? truth[i] : classes[random.Next(classes.Count)];
            csv.Append(i.ToString(CultureInfo.InvariantCulture)).Append(',').Append(guess).Append('\n');
        }
        return Encoding.UTF8.GetBytes(csv.ToString());
    }

    private static string SolutionCsv(IReadOnlyList<string> truth, string idColumn = "Id", string targetColumn = "Category")
    {
        var csv = new StringBuilder($"{idColumn},{targetColumn}\n");
        for (var i = 0; i < truth.Count; i++)
        {
            csv.Append(i.ToString(CultureInfo.InvariantCulture)).Append(',').Append(truth[i]).Append('\n');
        }
        return csv.ToString();
    }

    // A zip as the baseline worker and most tools read it: the PNG images and a labels.csv naming
    // each image (in Id order for a test set) and, for a labelled set, its class.
    private static byte[] ImageZip(IReadOnlyList<(string File, byte[] Png)> images, string? labelsCsv, IEnumerable<(string Name, string Text)>? extras = null)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            if (labelsCsv is not null)
            {
                Add(zip, "labels.csv", Encoding.UTF8.GetBytes(labelsCsv));
            }
            foreach (var (name, text) in extras ?? [])
            {
                Add(zip, name, Encoding.UTF8.GetBytes(text));
            }
            foreach (var (file, png) in images)
            {
                // PNG is compressed already; storing keeps the archive quick to make and to read.
                Add(zip, file, png, CompressionLevel.NoCompression);
            }
        }
        return buffer.ToArray();

        static void Add(ZipArchive zip, string name, byte[] content, CompressionLevel level = CompressionLevel.Fastest)
        {
            using var stream = zip.CreateEntry(name, level).Open();
            stream.Write(content);
        }
    }

    private static string ImageName(int index) => index.ToString("00000", CultureInfo.InvariantCulture) + ".png";

    private static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"The demo seed failed at {what}.");
        }
    }
}
