using System.IO.Compression;
using Challenge.Annotations.Formats;
using Challenge.Core.Annotations;
using Challenge.Core.Baselines;
using Challenge.Core.Challenges;
using Challenge.Core.Demo;
using Challenge.Core.Files;
using Challenge.Core.Leaderboards;
using Challenge.Core.Submissions;
using Challenge.Core.Tasks;
using Challenge.Core.Teams;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Tests;

// The four demo cases seeded at a twentieth of their size: what a newcomer meets on the first start
// must work end to end (leaderboards with teams, sample files that score, data to train on).
public abstract class DemoSeedTests(string provider) : IAsyncLifetime
{
    private CoreHarness _harness = default!;
    private CompetitionWorld _participants = default!;

    public async Task InitializeAsync()
    {
        _harness = await CoreHarness.StartAsync(provider, seedDemo: true);
        // A challenge of its own, only for its helpers that register accounts and wait for scores.
        _participants = await CompetitionWorld.CreateAsync(_harness);
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [DatabaseFact]
    public async Task Four_published_challenges_each_with_teams_on_every_leaderboard()
    {
        await using var db = _harness.CreateDbContext();
        var demos = await db.Competitions.AsNoTracking().Where(c => DemoSeeder.Slugs.Contains(c.Slug)).ToListAsync();

        Assert.Equal(DemoSeeder.Slugs.Order(), demos.Select(c => c.Slug).Order());
        Assert.All(demos, c => Assert.Equal(CompetitionStatus.Published, c.Status));
        Assert.All(demos, c => Assert.Contains("generated", c.OverviewMarkdown));
        var demoIds = demos.Select(c => c.Id).ToList();
        var tasks = await db.Tasks.AsNoTracking().Where(t => demoIds.Contains(t.CompetitionId)).ToListAsync();
        Assert.Equal(7, tasks.Count);
        foreach (var task in tasks)
        {
            var board = await _harness.Get<LeaderboardService>().GetAsync(task.Id, LeaderboardKind.Public);
            Assert.True(board.Rows.Count(r => !r.IsBaseline && r.Score is not null) >= 4, $"{task.Slug}: {board.Rows.Count} rows");
        }
        Assert.Equal(0, await db.Submissions.CountAsync(s => demoIds.Contains(s.CompetitionId) && s.Status != SubmissionStatus.Scored));
    }

    [DatabaseFact]
    public async Task Baselines_are_queued_for_every_task_that_takes_labels_or_probabilities()
    {
        await using var db = _harness.CreateDbContext();
        var runs = await db.BaselineRuns.AsNoTracking().ToListAsync();
        var taskSlugs = await db.Tasks.AsNoTracking().Where(t => runs.Select(r => r.TaskId).Contains(t.Id)).Select(t => t.Slug).ToListAsync();

        Assert.Equal(6, runs.Count);
        Assert.All(runs, r => Assert.Equal(BaselineRunStatus.Queued, r.Status));
        Assert.Equal(["element", "floor", DemoSeeder.DemoTaskSlug, "probabilities"], taskSlugs.Order());
        Assert.Contains(runs, r => r.Model == "pseudo" && r.UnlabelledFileId is not null);
    }

    [DatabaseTheory]
    [InlineData(DemoSeeder.DemoSlug, "sampleSubmission.csv", DemoSeeder.DemoTaskSlug)]
    [InlineData(DemoSeeder.SeaFloorSlug, "sample_floor.csv", "floor")]
    [InlineData(DemoSeeder.SeaFloorSlug, "sample_element.csv", "element")]
    [InlineData(DemoSeeder.PlanktonSlug, "sampleSubmission.csv", "probabilities")]
    [InlineData(DemoSeeder.PlanktonSlug, "sample_taxonomy.csv", "taxonomy")]
    [InlineData(DemoSeeder.OceanPlasticSlug, "crop_suggestions_kili.json", DemoSeeder.CropsTaskSlug)]
    [InlineData(DemoSeeder.OceanPlasticSlug, "river_pre_annotations_yolo.zip", DemoSeeder.RiverTaskSlug)]
    public async Task A_participant_downloads_the_sample_file_and_it_scores(string slug, string fileName, string taskSlug)
    {
        var (challenge, task) = await FindAsync(slug, taskSlug);
        var userId = await JoinAsync(challenge);
        var files = await _harness.Get<DataFileService>().ListAsync(challenge, CoreHarness.User(userId));
        var sample = Assert.Single(files.Value!, f => f.FileName == fileName);

        await using var content = _harness.Get<IFileStore>().OpenRead(sample.StoredFile!.StorageKey);
        var scored = await SubmitAsync(task, userId, content, fileName);

        Assert.True(scored.Status == SubmissionStatus.Scored, scored.ErrorsJson);
        Assert.NotNull(scored.PublicScore);
    }

    [DatabaseFact]
    public async Task The_detection_task_accepts_a_yolo_zip_made_from_its_pre_annotations()
    {
        var (challenge, task) = await FindAsync(DemoSeeder.OceanPlasticSlug, DemoSeeder.RiverTaskSlug);
        var userId = await JoinAsync(challenge);
        var export = await _harness.Get<AssetSetService>().ExportPreAnnotationsAsync(task, AnnotationFormat.Yolo);
        Assert.NotNull(export);
        using (var zip = new ZipArchive(new MemoryStream(export.Value.Content)))
        {
            Assert.Contains(zip.Entries, e => e.FullName == "data.yaml");
        }

        var scored = await SubmitAsync(task, userId, new MemoryStream(export.Value.Content), export.Value.FileName);

        Assert.True(scored.Status == SubmissionStatus.Scored, scored.ErrorsJson);
        Assert.InRange(scored.PublicScore!.Value, 0.05, 1);
    }

    [DatabaseFact]
    public async Task The_crops_are_ranked_by_the_formula_over_labelled_crops_and_honeypots()
    {
        var (_, task) = await FindAsync(DemoSeeder.OceanPlasticSlug, DemoSeeder.CropsTaskSlug);
        var board = await _harness.Get<LeaderboardService>().GetAsync(task.Id, LeaderboardKind.Public);

        Assert.Equal(DemoSeeder.CropsRanking, task.RankingFormula);
        Assert.All(board.Rows, r => Assert.InRange(r.Score!.Value, 0, 100));
        // The team that labelled every crop gets the full 70 for coverage, plus its honeypot share.
        Assert.Contains(board.Rows, r => r.Score > 70);
    }

    [DatabaseFact]
    public async Task The_training_zips_hold_png_images_and_labels()
    {
        var (challenge, _) = await FindAsync(DemoSeeder.DemoSlug, DemoSeeder.DemoTaskSlug);
        await using var db = _harness.CreateDbContext();
        var train = await db.DataFiles.AsNoTracking().Include(f => f.StoredFile).SingleAsync(f => f.CompetitionId == challenge.Id && f.FileName == "eurosat_train.zip");
        await using var content = _harness.Get<IFileStore>().OpenRead(train.StoredFile!.StorageKey);
        using var zip = new ZipArchive(content);

        var labels = new StreamReader(zip.GetEntry("labels.csv")!.Open()).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("file,label", labels[0]);
        Assert.Equal(DemoSeeder.Classes.Order(), labels.Skip(1).Select(l => l.Split(',')[1]).Distinct().Order());
        var png = new byte[8];
        zip.GetEntry(labels[1].Split(',')[0])!.Open().ReadExactly(png);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png);
    }

    private async Task<(Competition Challenge, CompetitionTask Task)> FindAsync(string slug, string taskSlug)
    {
        await using var db = _harness.CreateDbContext();
        var challenge = await db.Competitions.AsNoTracking().SingleAsync(c => c.Slug == slug);
        return (challenge, await db.Tasks.AsNoTracking().SingleAsync(t => t.CompetitionId == challenge.Id && t.Slug == taskSlug));
    }

    private async Task<string> JoinAsync(Competition challenge)
    {
        var userId = await _participants.RegisterAsync("newcomer-" + Guid.NewGuid().ToString("N")[..8]);
        await _harness.Get<TeamService>().AcceptRulesAsync(challenge.Id, userId);
        return userId;
    }

    private async Task<Submission> SubmitAsync(CompetitionTask task, string userId, Stream content, string fileName)
    {
        var result = await _harness.Get<SubmissionService>().SubmitAsync(task.Id, userId, content, fileName, "");
        Assert.True(result.Submission is not null, result.Message);
        return await _participants.WaitForScoringAsync(result.Submission!.Id);
    }
}

public sealed class DemoSeedTestsOnSqlite() : DemoSeedTests(Challenge.Core.Data.DatabaseProviders.Sqlite);

public sealed class DemoSeedTestsOnPostgres() : DemoSeedTests(Challenge.Core.Data.DatabaseProviders.Postgres), IPostgresTests;
