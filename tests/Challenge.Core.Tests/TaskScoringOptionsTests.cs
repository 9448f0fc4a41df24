using System.Text.Json;
using Challenge.Core.Submissions;
using Challenge.Core.Tasks;
using TaskKind = Challenge.Scoring.TaskKind;

namespace Challenge.Core.Tests;

// The settings only some kinds and metrics read (image size, taxonomy, k, threshold, β) are kept
// with the task, so the server scores those tasks as the reference does.
public abstract class TaskScoringOptionsTests(string provider) : IAsyncLifetime
{
    private CoreHarness _harness = default!;
    private CompetitionWorld _world = default!;

    public async Task InitializeAsync()
    {
        _harness = await CoreHarness.StartAsync(provider);
        _world = await CompetitionWorld.CreateAsync(_harness);
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private static string Case(string name, string file) =>
        Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "fixtures", "scoring", "cases", name, file);

    private async Task<Submission> ScoreCaseAsync(string caseName, TaskInput input)
    {
        var tasks = _harness.Get<TaskService>();
        var saved = await tasks.SaveAsync(_world.Competition.Id, null, input, _world.Organizer);
        Assert.True(saved.Saved is not null, string.Join("; ", saved.Errors.Select(e => $"{e.Key}: {e.Value}")));
        await using (var solution = File.OpenRead(Case(caseName, "solution.csv")))
        {
            var upload = await tasks.UploadSolutionAsync(saved.Saved!.Id, solution, "solution.csv", _world.Organizer);
            Assert.True(upload.Accepted, string.Join("; ", upload.Report.Errors.Select(e => e.Message)));
        }
        var (ada, _) = await _world.TeamAsync("ada");
        await using var submission = File.OpenRead(Case(caseName, "submission.csv"));
        var result = await _harness.Get<SubmissionService>().SubmitAsync(saved.Saved!.Id, ada, submission, "submission.csv", "");
        Assert.True(result.Accepted, result.Message);
        return await _world.WaitForScoringAsync(result.Submission!.Id);
    }

    private static (double Public, double Private) Expected(string caseName, string metric)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Case(caseName, "case.json")));
        var expected = json.RootElement.GetProperty("expected").GetProperty(metric);
        return (expected.GetProperty("public").GetDouble(), expected.GetProperty("private").GetDouble());
    }

    [DatabaseFact]
    public async Task A_mask_task_keeps_its_image_size_and_scores_dice_as_the_reference()
    {
        var scored = await ScoreCaseAsync("rle_masks_20x15", new TaskInput
        {
            Slug = "masks", Title = "Masks", Kind = TaskKind.Mask, Metric = "dice",
            IdColumn = "ImageId", TargetColumn = "EncodedPixels", ImageSize = "20x15",
        });

        Assert.Equal(SubmissionStatus.Scored, scored.Status);
        var (expectedPublic, expectedPrivate) = Expected("rle_masks_20x15", "dice");
        Assert.Equal(expectedPublic, scored.PublicScore!.Value, 9);
        Assert.Equal(expectedPrivate, scored.PrivateScore!.Value, 9);
    }

    [DatabaseFact]
    public async Task A_taxonomy_task_keeps_its_parents_and_depth_and_scores_as_the_reference()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Case("plankton_taxonomy_genus", "case.json")));
        var parents = json.RootElement.GetProperty("task").GetProperty("classParents").EnumerateObject().Select(p => $"{p.Name}={p.Value.GetString()}");

        var scored = await ScoreCaseAsync("plankton_taxonomy_genus", new TaskInput
        {
            Slug = "plankton", Title = "Plankton", Kind = TaskKind.Label, Metric = "accuracy_at_depth",
            ClassParents = string.Join("\n", parents), Depth = 3,
        });

        Assert.Equal(SubmissionStatus.Scored, scored.Status);
        var (expectedPublic, expectedPrivate) = Expected("plankton_taxonomy_genus", "accuracy_at_depth");
        Assert.Equal(expectedPublic, scored.PublicScore!.Value, 9);
        Assert.Equal(expectedPrivate, scored.PrivateScore!.Value, 9);
    }

    [DatabaseFact]
    public async Task Each_missing_or_wrong_setting_is_named_on_its_field_and_nothing_is_saved()
    {
        var tasks = _harness.Get<TaskService>();
        var cases = new (TaskInput Input, string Field, string Fragment)[]
        {
            (new TaskInput { Slug = "m", Title = "M", Kind = TaskKind.Mask, Metric = "dice", IdColumn = "ImageId", TargetColumn = "EncodedPixels" }, nameof(TaskInput.ImageSize), "WIDTHxHEIGHT"),
            (new TaskInput { Slug = "m", Title = "M", Kind = TaskKind.Mask, Metric = "dice", ImageSize = "0x15" }, nameof(TaskInput.ImageSize), "WIDTHxHEIGHT"),
            (new TaskInput { Slug = "t", Title = "T", Metric = "hierarchical_f1" }, nameof(TaskInput.ClassParents), "child=parent"),
            (new TaskInput { Slug = "t", Title = "T", Metric = "hierarchical_f1", ClassParents = "a=b\nb=a" }, nameof(TaskInput.ClassParents), "cycle"),
            (new TaskInput { Slug = "t", Title = "T", Metric = "hierarchical_f1", ClassParents = "a=b\na=c" }, nameof(TaskInput.ClassParents), "two parents"),
            (new TaskInput { Slug = "r", Title = "R", Kind = TaskKind.Ranking, Metric = "map_at_k", TopK = 0 }, nameof(TaskInput.TopK), "between 1 and 1000"),
            (new TaskInput { Slug = "b", Title = "B", Kind = TaskKind.BinaryProbability, Metric = "roc_auc", Threshold = 1.5 }, nameof(TaskInput.Threshold), "between 0 and 1"),
            (new TaskInput { Slug = "f", Title = "F", Metric = "f_beta", Beta = 0 }, nameof(TaskInput.Beta), "positive"),
        };
        foreach (var (input, field, fragment) in cases)
        {
            var result = await tasks.SaveAsync(_world.Competition.Id, null, input, _world.Organizer);
            Assert.Null(result.Saved);
            Assert.True(result.Errors.TryGetValue(field, out var message), $"{input.Metric}: no error on {field}: {string.Join("; ", result.Errors)}");
            Assert.Contains(fragment, message);
        }
        Assert.Single(await tasks.ListAsync(_world.Competition.Id));
    }

    [DatabaseFact]
    public async Task Changing_a_setting_outdates_the_scores_made_with_the_old_one()
    {
        var tasks = _harness.Get<TaskService>();
        var input = new TaskInput { Slug = "r", Title = "R", Kind = TaskKind.Ranking, Metric = "map_at_k", TopK = 10 };
        var saved = (await tasks.SaveAsync(_world.Competition.Id, null, input, _world.Organizer)).Saved!;
        Assert.Equal(10, saved.ToDefinition().TopK);

        input.TopK = 5;
        var changed = (await tasks.SaveAsync(_world.Competition.Id, saved.Id, input, _world.Organizer)).Saved!;

        Assert.Equal(5, changed.ToDefinition().TopK);
        Assert.Equal(saved.SolutionVersion + 1, changed.SolutionVersion);
        var form = new TaskInput();
        TaskScoringOptions.Read(changed.ScoringOptionsJson).CopyTo(form);
        Assert.Equal(5, form.TopK);
    }
}

public sealed class TaskScoringOptionsTestsOnSqlite() : TaskScoringOptionsTests(Challenge.Core.Data.DatabaseProviders.Sqlite);

public sealed class TaskScoringOptionsTestsOnPostgres() : TaskScoringOptionsTests(Challenge.Core.Data.DatabaseProviders.Postgres), IPostgresTests;
