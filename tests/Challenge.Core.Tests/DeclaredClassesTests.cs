using Challenge.Core.Submissions;
using Challenge.Core.Tasks;
using TaskKind = Challenge.Scoring.TaskKind;

namespace Challenge.Core.Tests;

// A task's declared classes, not the hidden solution, decide what teams upload: a test set need
// not hold every class, and the columns of a file must never tell which classes it lacks.
public abstract class DeclaredClassesTests(string provider) : IAsyncLifetime
{
    private static readonly string[] s_plankton = [.. Enumerable.Range(1, 12).Select(i => $"class_{i:D2}")];

    private CoreHarness _harness = default!;
    private CompetitionWorld _world = default!;

    public async Task InitializeAsync()
    {
        _harness = await CoreHarness.StartAsync(provider);
        _world = await CompetitionWorld.CreateAsync(_harness);
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private static TaskInput Plankton(IEnumerable<string> classes) => new()
    {
        Slug = "plankton", Title = "Plankton", Kind = TaskKind.Probability, Metric = "log_loss",
        Classes = string.Join("\n", classes),
    };

    // Ten rows using only the first nine classes: the last three are declared but absent.
    private static string SolutionCsv(string extraClass = "") =>
        "Id,Category\n" + string.Concat(Enumerable.Range(0, 10).Select(i => $"{i},{(i == 9 && extraClass != "" ? extraClass : s_plankton[i % 9])}\n"));

    private static string UniformSubmission(IReadOnlyList<string> classes) =>
        "Id," + string.Join(",", classes) + "\n"
        + string.Concat(Enumerable.Range(0, 10).Select(i => i + string.Concat(classes.Select(_ => "," + (1.0 / classes.Count).ToString("R", System.Globalization.CultureInfo.InvariantCulture))) + "\n"));

    private async Task<CompetitionTask> SaveAsync(TaskInput input, int? taskId = null)
    {
        var saved = await _harness.Get<TaskService>().SaveAsync(_world.Competition.Id, taskId, input, _world.Organizer);
        Assert.True(saved.Saved is not null, string.Join("; ", saved.Errors.Select(e => $"{e.Key}: {e.Value}")));
        return saved.Saved!;
    }

    [DatabaseFact]
    public async Task A_full_file_of_every_declared_class_scores_although_the_solution_holds_fewer()
    {
        var task = await SaveAsync(Plankton(s_plankton));
        var upload = await _harness.Get<TaskService>().UploadSolutionAsync(task.Id, CompetitionWorld.Stream(SolutionCsv()), "solution.csv", _world.Organizer);
        Assert.True(upload.Accepted);

        var (ada, _) = await _world.TeamAsync("ada");
        var result = await _harness.Get<SubmissionService>().SubmitAsync(task.Id, ada, CompetitionWorld.Stream(UniformSubmission(s_plankton)), "full.csv", "");
        var scored = await _world.WaitForScoringAsync(result.Submission!.Id);

        Assert.Equal(SubmissionStatus.Scored, scored.Status);
        Assert.Equal(Math.Log(12), scored.OverallScore!.Value, 9);

        // The file that lists only the classes present in the hidden rows is the one refused.
        var partial = await _harness.Get<SubmissionService>().SubmitAsync(task.Id, ada, CompetitionWorld.Stream(UniformSubmission(s_plankton[..9])), "partial.csv", "");
        var refused = await _world.WaitForScoringAsync(partial.Submission!.Id);
        Assert.Equal(SubmissionStatus.Rejected, refused.Status);
        Assert.Contains("class_10", refused.ErrorsJson);
    }

    [DatabaseFact]
    public async Task The_sample_submission_names_every_declared_class_and_nothing_of_the_hidden_rows_but_their_ids()
    {
        var task = await SaveAsync(Plankton(s_plankton));
        await _harness.Get<TaskService>().UploadSolutionAsync(task.Id, CompetitionWorld.Stream(SolutionCsv()), "solution.csv", _world.Organizer);

        var solution = await _harness.Get<SolutionCache>().GetAsync(await ReloadAsync(task.Id));
        using var sample = new MemoryStream();
        solution.WriteSampleSubmission(sample);
        var lines = System.Text.Encoding.UTF8.GetString(sample.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("Id," + string.Join(",", s_plankton), lines[0].TrimEnd('\r'));
        Assert.Equal(11, lines.Length);
        // Every row the same uniform guess: no row tells its class.
        Assert.Single(lines.Skip(1).Select(l => l[(l.IndexOf(',') + 1)..]).Distinct());
    }

    [DatabaseFact]
    public async Task A_solution_naming_an_undeclared_class_is_refused_with_its_line_and_nothing_changes()
    {
        var task = await SaveAsync(Plankton(s_plankton));
        var upload = await _harness.Get<TaskService>().UploadSolutionAsync(task.Id, CompetitionWorld.Stream(SolutionCsv("walrus")), "solution.csv", _world.Organizer);

        Assert.False(upload.Accepted);
        var error = Assert.Single(upload.Report.Errors);
        Assert.Equal(11, error.Line);
        Assert.Contains("walrus", error.Message);
        Assert.Null((await ReloadAsync(task.Id)).SolutionFileId);
    }

    [DatabaseFact]
    public async Task Classes_can_change_until_the_first_submission_and_never_to_a_list_the_solution_breaks()
    {
        var task = await SaveAsync(Plankton(s_plankton));
        await _harness.Get<TaskService>().UploadSolutionAsync(task.Id, CompetitionWorld.Stream(SolutionCsv()), "solution.csv", _world.Organizer);
        var tasks = _harness.Get<TaskService>();

        // Dropping a class the hidden rows use would leave the stored solution unreadable.
        var dropped = await tasks.SaveAsync(_world.Competition.Id, task.Id, Plankton(s_plankton.Skip(1)), _world.Organizer);
        Assert.Null(dropped.Saved);
        Assert.Contains("class_01", dropped.Errors["Classes"]);
        Assert.Equal(s_plankton, TaskDefinitions.ParseClassesJson((await ReloadAsync(task.Id)).ClassesJson));

        // Adding one is fine before anyone submits, and outdates the scores of the old reading.
        var grown = await SaveAsync(Plankton([.. s_plankton, "class_13"]), task.Id);
        Assert.Equal(13, TaskDefinitions.ParseClassesJson(grown.ClassesJson)!.Count);
        Assert.True(grown.SolutionVersion > task.SolutionVersion);

        var (ada, _) = await _world.TeamAsync("ada");
        await _harness.Get<SubmissionService>().SubmitAsync(task.Id, ada, CompetitionWorld.Stream(UniformSubmission([.. s_plankton, "class_13"])), "full.csv", "");
        var frozen = await tasks.SaveAsync(_world.Competition.Id, task.Id, Plankton([.. s_plankton, "class_13", "class_14"]), _world.Organizer);
        Assert.Null(frozen.Saved);
        Assert.Contains("already submitted", frozen.Errors["Classes"]);
    }

    [DatabaseFact]
    public async Task A_list_with_a_repeated_class_is_refused_naming_it()
    {
        var saved = await _harness.Get<TaskService>().SaveAsync(_world.Competition.Id, null, Plankton(["a", "b", "A"]), _world.Organizer);

        Assert.Null(saved.Saved);
        Assert.Equal("'A' is listed twice (classes 1 and 3; names are compared ignoring case).", saved.Errors["Classes"]);
    }

    [Fact]
    public void A_pasted_header_row_reads_as_one_class_per_column()
    {
        var (classes, error) = TaskDefinitions.ParseClassesText("cat, dog,bird\n");
        Assert.Null(error);
        Assert.Equal(["cat", "dog", "bird"], classes!);
        Assert.Null(TaskDefinitions.ParseClassesText("  \n").Classes);
        Assert.Equal(["cat", "dog"], TaskDefinitions.ParseClassesText("cat\r\ndog\r\n").Classes!);
    }

    private async Task<CompetitionTask> ReloadAsync(int taskId) =>
        (await _harness.Get<TaskService>().ListAsync(_world.Competition.Id)).Single(t => t.Id == taskId);
}

public sealed class DeclaredClassesTestsOnSqlite() : DeclaredClassesTests(Challenge.Core.Data.DatabaseProviders.Sqlite);

public sealed class DeclaredClassesTestsOnPostgres() : DeclaredClassesTests(Challenge.Core.Data.DatabaseProviders.Postgres), IPostgresTests;
