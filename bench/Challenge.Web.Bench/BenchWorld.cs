using System.Diagnostics;
using System.Security.Claims;
using System.Text;
using Challenge.Core;
using Challenge.Core.Accounts;
using Challenge.Core.ApiTokens;
using Challenge.Core.Challenges;
using Challenge.Core.Data;
using Challenge.Core.Tasks;
using Challenge.Core.Teams;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Challenge.Web.Bench;

internal sealed record Participant(string UserId, int TeamId, string TeamName, string Token);

// A published land-cover challenge built in a fresh data folder through the same services the web
// app uses (users, teams, tokens, the solution upload), plus optional bulk history written straight
// into the tables. The host is stopped before the server starts, so only one scheduler ever owns
// the database.
internal sealed class BenchWorld : IAsyncDisposable
{
    public static readonly string[] Classes = ["AnnualCrop", "Forest", "HerbaceousVegetation", "Highway", "Industrial", "Pasture", "PermanentCrop", "Residential", "River", "SeaLake"];
    public const string Slug = "land-cover-bench";
    public const string TaskSlug = "classes";
    public const int DailyLimit = 1_000_000;

    private static readonly ClaimsPrincipal Organizer = new(new ClaimsIdentity(
        [new Claim(ClaimTypes.NameIdentifier, "bench-organizer"), new Claim(ClaimTypes.Role, Roles.Organizer)], "bench"));

    private readonly IHost _host;

    private BenchWorld(IHost host, string dataDirectory, int competitionId, int taskId)
    {
        _host = host;
        DataDirectory = dataDirectory;
        CompetitionId = competitionId;
        TaskId = taskId;
    }

    public string DataDirectory { get; }
    public int CompetitionId { get; }
    public int TaskId { get; }
    public List<Participant> Participants { get; } = [];

    public static string Truth(int row) => Classes[(row * 7 + row / 3) % Classes.Length];

    public static string WrongFor(int row) => Classes[(Array.IndexOf(Classes, Truth(row)) + 1) % Classes.Length];

    public static byte[] SolutionCsv(int rows)
    {
        var csv = new StringBuilder("Id,Category\n", rows * 16);
        for (var row = 0; row < rows; row++)
        {
            csv.Append(row).Append(',').Append(Truth(row)).Append('\n');
        }
        return Encoding.UTF8.GetBytes(csv.ToString());
    }

    // settings: extra configuration, such as the database provider and connection string.
    public static async Task<BenchWorld> CreateAsync(string dataDirectory, int solutionRows, DateTime startsAtUtc, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = dataDirectory,
            ["Demo:Seed"] = "false",
        });
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.Services.AddLogging();
        builder.Services.AddChallengeCore(builder.Configuration, dataDirectory);
        var host = builder.Build();
        await host.StartAsync();

        var created = await host.Services.GetRequiredService<CompetitionService>().CreateAsync(new CompetitionInput
        {
            Slug = Slug,
            Title = "Land cover (benchmark)",
            StartsAtUtc = startsAtUtc,
            EndsAtUtc = DateTime.UtcNow.AddDays(30),
            Published = true,
        }, Organizer);
        var competitionId = created.Saved?.Id ?? throw new InvalidOperationException("Creating the challenge failed: " + string.Join("; ", created.Errors.Values));
        var dbFactory = host.Services.GetRequiredService<IDbContextFactory<ChallengeDbContext>>();
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            // Above the form's limit on purpose: the benchmark measures latency, not the quota.
            await db.Competitions.Where(c => c.Id == competitionId).ExecuteUpdateAsync(c => c.SetProperty(x => x.DailySubmissionLimit, DailyLimit));
        }
        var tasks = host.Services.GetRequiredService<TaskService>();
        var task = (await tasks.SaveAsync(competitionId, null, new TaskInput { Slug = TaskSlug, Title = "Classes", Metric = "accuracy" }, Organizer)).Saved
            ?? throw new InvalidOperationException("Creating the task failed.");
        var upload = await tasks.UploadSolutionAsync(task.Id, new MemoryStream(SolutionCsv(solutionRows)), "solution.csv", Organizer);
        if (!upload.Accepted)
        {
            throw new InvalidOperationException("The solution was refused: " + string.Join("; ", upload.Report.Errors.Select(e => e.Message)));
        }
        return new BenchWorld(host, dataDirectory, competitionId, task.Id);
    }

    // A CNN baseline run queued on the task, with random 28x28 training images (IDX files, as
    // Fashion-MNIST ships): the server's embedded worker takes it as soon as the server starts, and
    // trains for as long as the benchmark runs.
    public async Task<long> QueueTrainingAsync(int images, int epochs)
    {
        var files = _host.Services.GetRequiredService<Challenge.Core.Files.DataFileService>();
        var random = new Random(7);
        var pixels = new byte[images * 28 * 28];
        random.NextBytes(pixels);
        var labels = new byte[images];
        for (var i = 0; i < images; i++)
        {
            labels[i] = (byte)(i % 10);
        }
        var trainId = (await files.UploadAsync(CompetitionId, new MemoryStream(Idx([images, 28, 28], pixels)), "train-images-idx3-ubyte", "training images", Organizer)).File!.Id;
        await files.UploadAsync(CompetitionId, new MemoryStream(Idx([images], labels)), "train-labels-idx1-ubyte", "training labels", Organizer);
        var testId = (await files.UploadAsync(CompetitionId, new MemoryStream(Idx([1000, 28, 28], pixels[..(1000 * 28 * 28)])), "test-images-idx3-ubyte", "test images", Organizer)).File!.Id;
        var (run, errors) = await _host.Services.GetRequiredService<Challenge.Core.Baselines.BaselineService>().CreateAsync(CompetitionId, new Challenge.Core.Baselines.BaselineRunInput
        {
            TaskId = TaskId, Model = "cnn", Epochs = epochs, TrainFileId = trainId, TestFileId = testId,
        }, Organizer);
        return run?.Id ?? throw new InvalidOperationException("Queueing the training run failed: " + string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value}")));
    }

    private static byte[] Idx(int[] dimensions, byte[] data)
    {
        using var stream = new MemoryStream();
        stream.Write([0, 0, 0x08, (byte)dimensions.Length]);
        var value = new byte[4];
        foreach (var dimension in dimensions)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(value, dimension);
            stream.Write(value);
        }
        stream.Write(data);
        return stream.ToArray();
    }

    // A registered user who accepted the rules, leads a team of their own and holds an API token.
    public async Task<Participant> AddParticipantAsync(string name)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = new AppUser { UserName = $"{name}@example.org", Email = $"{name}@example.org", DisplayName = name, CreatedAtUtc = DateTime.UtcNow };
        var result = await users.CreateAsync(user, "correct-horse-battery-1");
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Registering {name} failed: " + string.Join("; ", result.Errors.Select(e => e.Description)));
        }
        var teams = _host.Services.GetRequiredService<TeamService>();
        await teams.AcceptRulesAsync(CompetitionId, user.Id);
        var team = await teams.CreateAsync(CompetitionId, user.Id, $"Team {name}");
        if (!team.Succeeded)
        {
            throw new InvalidOperationException($"Creating the team of {name} failed: {team.Error}");
        }
        var token = await _host.Services.GetRequiredService<ApiTokenService>().CreateAsync(user.Id, "benchmark")
            ?? throw new InvalidOperationException("No token was issued.");
        var participant = new Participant(user.Id, team.Team!.Id, team.Team.Name, token.Secret);
        Participants.Add(participant);
        return participant;
    }

    // Teams of one member each, then scored submissions drawn over all teams (the participants'
    // included), spread over the days since the start. Identity rows go through EF; the submission
    // rows through prepared statements on EF's connection, which is what makes 200,000 rows take
    // seconds instead of minutes.
    public async Task<TimeSpan> AddHistoryAsync(int bulkTeams, int submissions, DateTime fromUtc, int seed = 42)
    {
        var stopwatch = Stopwatch.StartNew();
        var random = new Random(seed);
        var now = DateTime.UtcNow;
        var dbFactory = _host.Services.GetRequiredService<IDbContextFactory<ChallengeDbContext>>();
        var members = Participants.Select(p => (p.TeamId, p.UserId)).ToList();
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            var newTeams = new List<(Team Team, string UserId)>(bulkTeams);
            for (var i = 0; i < bulkTeams; i++)
            {
                var name = $"member{i:D5}";
                var user = new AppUser
                {
                    UserName = $"{name}@example.org",
                    NormalizedUserName = $"{name}@example.org".ToUpperInvariant(),
                    Email = $"{name}@example.org",
                    NormalizedEmail = $"{name}@example.org".ToUpperInvariant(),
                    DisplayName = $"Member {i:D5}",
                    SecurityStamp = Guid.NewGuid().ToString("N"),
                    CreatedAtUtc = fromUtc,
                };
                db.Users.Add(user);
                var team = new Team { CompetitionId = CompetitionId, Name = $"Team {i:D5}", InviteCode = Guid.NewGuid().ToString("N")[..16], CreatedAtUtc = fromUtc };
                db.Teams.Add(team);
                db.Participations.Add(new Participation { CompetitionId = CompetitionId, UserId = user.Id, AcceptedRulesAtUtc = fromUtc });
                newTeams.Add((team, user.Id));
            }
            await db.SaveChangesAsync();
            foreach (var (team, userId) in newTeams)
            {
                db.TeamMembers.Add(new TeamMember { TeamId = team.Id, CompetitionId = CompetitionId, UserId = userId, JoinedAtUtc = fromUtc });
                members.Add((team.Id, userId));
            }
            await db.SaveChangesAsync();
        }

        // Each team has a skill level; its submissions scatter around it, rounded so that ties occur.
        var skill = members.ToDictionary(m => m.TeamId, _ => 0.55 + 0.35 * random.NextDouble());
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(DataDirectory, "challenge.db"), DefaultTimeout = 60 }.ToString());
        await connection.OpenAsync();
        await using (connection)
        {
            long fileId;
            long submissionId;
            await using (var ids = connection.CreateCommand())
            {
                ids.CommandText = """SELECT COALESCE(MAX("Id"), 0) FROM "StoredFiles" """;
                fileId = (long)(await ids.ExecuteScalarAsync())!;
                ids.CommandText = """SELECT COALESCE(MAX("Id"), 0) FROM "Submissions" """;
                submissionId = (long)(await ids.ExecuteScalarAsync())!;
            }
            const int batch = 25_000;
            for (var start = 0; start < submissions; start += batch)
            {
                await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
                await using var file = connection.CreateCommand();
                file.Transaction = transaction;
                file.CommandText = """
                    INSERT INTO "StoredFiles" ("Id", "StorageKey", "OriginalName", "Length", "Sha256", "CreatedAtUtc")
                    VALUES ($id, $key, 'predictions.csv', 300000, $sha, $at)
                    """;
                var fileParameters = new[] { "$id", "$key", "$sha", "$at" }.Select(n => file.Parameters.Add(new SqliteParameter { ParameterName = n })).ToArray();
                await using var row = connection.CreateCommand();
                row.Transaction = transaction;
                row.CommandText = """
                    INSERT INTO "Submissions" ("Id", "CompetitionId", "TaskId", "TeamId", "SubmittedById", "StoredFileId", "FileName", "Description",
                        "Status", "CreatedAtUtc", "QuotaDay", "CountsAgainstQuota", "PublicScore", "PrivateScore", "OverallScore", "ErrorCount",
                        "ScorerVersion", "SolutionVersion", "ScoringStartedAtUtc", "ScoredAtUtc", "ScoringAttempts", "ScoringMilliseconds",
                        "IsSelected", "IsHidden", "IsBaseline")
                    VALUES ($id, $competition, $task, $team, $user, $file, 'predictions.csv', '',
                        'Scored', $at, $day, 1, $public, $private, $overall, 0,
                        'bench', 1, $at, $scored, 1, 40,
                        0, 0, 0)
                    """;
                var rowParameters = new[] { "$id", "$competition", "$task", "$team", "$user", "$file", "$at", "$day", "$public", "$private", "$overall", "$scored" }
                    .Select(n => row.Parameters.Add(new SqliteParameter { ParameterName = n })).ToArray();
                file.Prepare();
                row.Prepare();
                for (var i = start; i < Math.Min(submissions, start + batch); i++)
                {
                    var (teamId, userId) = members[random.Next(members.Count)];
                    var at = fromUtc + (now - fromUtc) * random.NextDouble();
                    var publicScore = Math.Round(Math.Clamp(skill[teamId] + 0.03 * Gaussian(random), 0, 1), 4);
                    var privateScore = Math.Round(Math.Clamp(publicScore + 0.01 * Gaussian(random), 0, 1), 4);
                    fileId++;
                    submissionId++;
                    fileParameters[0].Value = fileId;
                    fileParameters[1].Value = $"submissions/bench/{fileId:D8}";
                    fileParameters[2].Value = fileId.ToString("x64");
                    fileParameters[3].Value = at;
                    await file.ExecuteNonQueryAsync();
                    rowParameters[0].Value = submissionId;
                    rowParameters[1].Value = CompetitionId;
                    rowParameters[2].Value = TaskId;
                    rowParameters[3].Value = teamId;
                    rowParameters[4].Value = userId;
                    rowParameters[5].Value = fileId;
                    rowParameters[6].Value = at;
                    rowParameters[7].Value = at.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
                    rowParameters[8].Value = publicScore;
                    rowParameters[9].Value = privateScore;
                    rowParameters[10].Value = Math.Round(0.3 * publicScore + 0.7 * privateScore, 4);
                    rowParameters[11].Value = at.AddSeconds(1);
                    await row.ExecuteNonQueryAsync();
                }
                await transaction.CommitAsync();
            }
        }
        SqliteConnection.ClearAllPools();
        return stopwatch.Elapsed;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        SqliteConnection.ClearAllPools();
    }
}
