using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Challenge.Core.Challenges;
using Challenge.Core.Data;
using Challenge.Testing;
using Challenge.Core.Files;
using Challenge.Core.Tasks;
using Challenge.Core.Teams;
using Challenge.Web.Tests.Cli;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Web.Tests.Bundles;

// A challenge kept as a folder: imported with the command-line tool, run, exported and imported
// again as an equal challenge; and broken bundles refused with their file and line, leaving nothing.
public abstract class BundleTests(string provider) : IAsyncLifetime
{
    private CompetitionSite _site = default!;
    private CliRunner _cli = default!;

    public async Task InitializeAsync()
    {
        _site = await CompetitionSite.StartAsync(provider: provider);
        _cli = new CliRunner(_site);
    }

    public async Task DisposeAsync()
    {
        _cli.Dispose();
        await _site.DisposeAsync();
    }

    private Task<CliRunner.Result> Cli(string token, params string[] args) => _cli.RunAsync([.. args, "--server", CliRunner.Server, "--token", token]);

    [DatabaseFact]
    public async Task A_EuroSat_bundle_is_imported_run_through_the_kaggle_style_commands_exported_and_imported_again_as_an_equal_challenge()
    {
        var folder = EuroSatBundle.Write(Path.Combine(_cli.Folder, "eurosat"));

        var imported = await Cli(_site.Organizer.Token, "bundle", "import", folder);
        Assert.True(imported.ExitCode == 0, imported.ToString());
        Assert.Contains("Created the challenge 'eurosat' as a draft", imported.Output);
        var first = (await _site.Get<CompetitionService>().FindVisibleAsync("eurosat", _site.Organizer.Principal))!;
        Assert.Equal(CompetitionStatus.Draft, first.Status);
        Assert.Equal((10, 3, 4), (first.DailySubmissionLimit, first.MaxFinalSelections, first.MaxTeamSize));
        Assert.StartsWith("# EuroSAT", first.OverviewMarkdown);

        Assert.Equal(HttpStatusCode.OK, (await _site.Organizer.Api.PostAsync("/api/challenges/eurosat/publish", null)).StatusCode);
        var teams = _site.Get<TeamService>();
        await teams.AcceptRulesAsync(first.Id, _site.Ada.UserId);
        await teams.CreateAsync(first.Id, _site.Ada.UserId, "Orbiters");

        var listed = await Cli(_site.Ada.Token, "competitions", "list");
        Assert.Contains("eurosat", listed.Output);
        var files = await Cli(_site.Ada.Token, "competitions", "files", "eurosat");
        Assert.Contains("train.csv", files.Output);
        var predictions = _cli.WriteFile("predictions.csv", EuroSatBundle.PerfectCsv());
        var submitted = await Cli(_site.Ada.Token, "competitions", "submit", "eurosat", "-f", predictions, "-m", "all correct", "--wait");
        Assert.True(submitted.ExitCode == 0, submitted.ToString());
        Assert.Contains("Public score: 1.000000", submitted.Output);
        var board = await Cli(_site.Ada.Token, "competitions", "leaderboard", "eurosat", "--show");
        Assert.True(board.ExitCode == 0, board.ToString());
        Assert.Contains("Orbiters", board.Output);
        Assert.Contains("1.000000", board.Output);

        // The Ladder's rule travels with the task.
        await using (var db = await _site.Get<IDbContextFactory<ChallengeDbContext>>().CreateDbContextAsync())
        {
            await db.Tasks.Where(t => t.CompetitionId == first.Id).ExecuteUpdateAsync(t => t.SetProperty(x => x.LadderParameterFree, true));
        }
        var exportFolder = Path.Combine(_cli.Folder, "exported");
        var exported = await Cli(_site.Organizer.Token, "bundle", "export", "eurosat", "-o", exportFolder, "--include-solutions");
        Assert.True(exported.ExitCode == 0, exported.ToString());
        var again = await Cli(_site.Organizer.Token, "bundle", "import", exportFolder, "--slug", "eurosat-again");
        Assert.True(again.ExitCode == 0, again.ToString());

        var second = (await _site.Get<CompetitionService>().FindVisibleAsync("eurosat-again", _site.Organizer.Principal))!;
        await AssertEqualAsync(first, second);
        Assert.Equal(LadderRule.ParameterFree, (await _site.Get<TaskService>().ListAsync(second.Id)).Single().LadderRule);
    }

    [DatabaseFact]
    public async Task Without_solutions_the_export_says_what_it_left_out_and_participants_cannot_export()
    {
        EuroSatBundle.Write(Path.Combine(_cli.Folder, "eurosat"));
        Assert.Equal(0, (await Cli(_site.Organizer.Token, "bundle", "import", Path.Combine(_cli.Folder, "eurosat"))).ExitCode);

        var folder = Path.Combine(_cli.Folder, "public-export");
        Assert.Equal(0, (await Cli(_site.Organizer.Token, "bundle", "export", "eurosat", "-o", folder)).ExitCode);
        Assert.False(Directory.Exists(Path.Combine(folder, "solutions")));
        Assert.Contains("# Not in this bundle: Task 'land-cover': its hidden solution is left out", File.ReadAllText(Path.Combine(folder, "challenge.yaml")));

        var refused = await Cli(_site.Ada.Token, "bundle", "export", CompetitionSite.Slug, "-o", Path.Combine(_cli.Folder, "stolen"), "--include-solutions");
        Assert.Equal(1, refused.ExitCode);
        Assert.False(Directory.Exists(Path.Combine(_cli.Folder, "stolen")));
        var import = await Cli(_site.Ada.Token, "bundle", "import", Path.Combine(_cli.Folder, "eurosat"), "--slug", "mine");
        Assert.Contains("Only organizers can create challenges", import.Error);
    }

    public static TheoryData<string, string, string, string> BrokenBundles => new()
    {
        // case, what to spoil, the file at fault, the key (or text) the error names
        { "unknown key", "colour", "challenge.yaml", "colour" },
        { "missing file", "missing", "challenge.yaml", "data[0].file" },
        { "bad metric", "metric", "challenge.yaml", "tasks[0].metric" },
        { "bad solution line", "solution", "solutions/land-cover.csv", "tasks[0].solution" },
    };

    [DatabaseTheory]
    [MemberData(nameof(BrokenBundles), MemberType = typeof(BundleTests))]
    public async Task A_broken_bundle_is_refused_with_its_file_and_line_and_nothing_is_created(string name, string spoil, string file, string key)
    {
        var manifest = EuroSatBundle.Manifest();
        var folder = Path.Combine(_cli.Folder, name.Replace(' ', '-'));
        int expectedLine;
        switch (spoil)
        {
            case "colour":
                manifest = manifest.Replace("limits:\n", "colour: blue\nlimits:\n", StringComparison.Ordinal);
                expectedLine = EuroSatBundle.LineOf(manifest, "colour: blue");
                EuroSatBundle.Write(folder, manifest);
                break;
            case "missing":
                manifest = manifest.Replace("file: data/train.csv", "file: data/missing.csv", StringComparison.Ordinal);
                expectedLine = EuroSatBundle.LineOf(manifest, "data/missing.csv");
                EuroSatBundle.Write(folder, manifest);
                break;
            case "metric":
                manifest = manifest.Replace("metric: accuracy", "metric: acuracy", StringComparison.Ordinal);
                expectedLine = EuroSatBundle.LineOf(manifest, "metric: acuracy");
                EuroSatBundle.Write(folder, manifest);
                break;
            default:
                EuroSatBundle.Write(folder);
                // Row of Id 3 is line 5 (the header is line 1); it now repeats Id 2.
                File.WriteAllText(Path.Combine(folder, "solutions", "land-cover.csv"), EuroSatBundle.SolutionCsv().Replace("\n3,", "\n2,", StringComparison.Ordinal));
                expectedLine = 5;
                break;
        }
        var before = await CountsAsync();

        var content = new ByteArrayContent(EuroSatBundle.Zip(folder));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        using var response = await _site.Organizer.Api.PostAsync("/api/bundles", content);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray().ToList();
        Assert.Contains(errors, e => e.GetProperty("file").GetString() == file && e.GetProperty("line").GetInt32() == expectedLine && e.GetProperty("key").GetString() == key);
        Assert.Equal(before, await CountsAsync());

        // The tool prints the same errors, as file:line: key: message, and exits 2.
        var printed = await Cli(_site.Organizer.Token, "bundle", "import", folder);
        Assert.Equal(2, printed.ExitCode);
        Assert.Contains($"{file}:{expectedLine}: {key}:", printed.Output);
        Assert.Equal(before, await CountsAsync());
    }

    [DatabaseFact]
    public async Task A_codabench_competition_yaml_is_imported_with_the_chosen_metric_and_says_what_it_left_out()
    {
        var folder = Path.Combine(_cli.Folder, "codabench");
        CodabenchBundle.Write(folder);

        var withoutMetric = await Cli(_site.Organizer.Token, "bundle", "import", folder);
        Assert.Equal(2, withoutMetric.ExitCode);
        Assert.Contains("competition.yaml: --metric:", withoutMetric.Output);

        var imported = await Cli(_site.Organizer.Token, "bundle", "import", folder, "--metric", "accuracy");
        Assert.True(imported.ExitCode == 0, imported.ToString());
        Assert.Contains("from a Codabench competition.yaml", imported.Output);
        Assert.Contains("scoring program", imported.Output);
        Assert.Contains("docker", imported.Output, StringComparison.OrdinalIgnoreCase);

        var challenge = (await _site.Get<CompetitionService>().FindVisibleAsync("coral-reef-watch", _site.Organizer.Principal))!;
        Assert.Equal("Coral Reef Watch", challenge.Title);
        Assert.Equal(new DateTime(2026, 1, 10, 0, 0, 0, DateTimeKind.Utc), challenge.StartsAtUtc);
        Assert.Equal(new DateTime(2026, 6, 30, 0, 0, 0, DateTimeKind.Utc), challenge.EndsAtUtc);
        Assert.Equal(3, challenge.DailySubmissionLimit);
        Assert.Contains("Find the bleached reefs", challenge.OverviewMarkdown);
        Assert.Contains("Macro-averaged", challenge.EvaluationMarkdown);
        Assert.Contains("No external data", challenge.RulesMarkdown);
        var task = (await _site.Get<TaskService>().ListAsync(challenge.Id)).Single();
        Assert.Equal(("reef-state", "accuracy", "image_id", "state", 4), (task.Slug, task.Metric, task.IdColumn, task.TargetColumn, task.SolutionRows));
    }

    private async Task<(int Challenges, int Tasks, int Files, int Data)> CountsAsync()
    {
        await using var db = await _site.Get<IDbContextFactory<ChallengeDbContext>>().CreateDbContextAsync();
        return (await db.Competitions.CountAsync(), await db.Tasks.CountAsync(), await db.StoredFiles.CountAsync(), await db.DataFiles.CountAsync());
    }

    private async Task AssertEqualAsync(Competition first, Competition second)
    {
        var a = ChallengeSettings.From(first) with { Slug = null, Published = null };
        var b = ChallengeSettings.From(second) with { Slug = null, Published = null };
        Assert.Equal(a with { Pages = null }, b with { Pages = null });
        Assert.Equal(a.Pages, b.Pages);
        Assert.Equal(first.TeamMergerDeadlineUtc, second.TeamMergerDeadlineUtc);

        var tasks = _site.Get<TaskService>();
        var firstTasks = await tasks.ListAsync(first.Id);
        var secondTasks = await tasks.ListAsync(second.Id);
        Assert.Equal(firstTasks.Count, secondTasks.Count);
        await using var db = await _site.Get<IDbContextFactory<ChallengeDbContext>>().CreateDbContextAsync();
        foreach (var (x, y) in firstTasks.Zip(secondTasks))
        {
            Assert.Equal(JsonSerializer.Serialize(TaskSettings.From(x)), JsonSerializer.Serialize(TaskSettings.From(y)));
            Assert.Equal((x.Family, x.SolutionRows, x.ClassWeightsJson, x.ScoringOptionsJson, x.MaxSubmissionBytes), (y.Family, y.SolutionRows, y.ClassWeightsJson, y.ScoringOptionsJson, y.MaxSubmissionBytes));
            var shaX = await db.StoredFiles.Where(f => f.Id == x.SolutionFileId).Select(f => f.Sha256).SingleAsync();
            var shaY = await db.StoredFiles.Where(f => f.Id == y.SolutionFileId).Select(f => f.Sha256).SingleAsync();
            Assert.Equal(shaX, shaY);
        }
        var dataX = await db.DataFiles.Include(f => f.StoredFile).Where(f => f.CompetitionId == first.Id).OrderBy(f => f.FileName).Select(f => new { f.FileName, f.Description, f.StoredFile!.Sha256, f.StoredFile.Length }).ToListAsync();
        var dataY = await db.DataFiles.Include(f => f.StoredFile).Where(f => f.CompetitionId == second.Id).OrderBy(f => f.FileName).Select(f => new { f.FileName, f.Description, f.StoredFile!.Sha256, f.StoredFile.Length }).ToListAsync();
        Assert.NotEmpty(dataX);
        Assert.Equal(dataX, dataY);
    }
}

public sealed class BundleTestsOnSqlite() : BundleTests(DatabaseProviders.Sqlite);

public sealed class BundleTestsOnPostgres() : BundleTests(DatabaseProviders.Postgres), IPostgresTests;
