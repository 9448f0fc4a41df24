using System.Text;
using Challenge.Core.Rescoring;
using Challenge.Core.Submissions;
using Challenge.Core.Tasks;
using Challenge.Testing;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Tests;

// A new solution and a rescore: the changelog names every submission with its exact old and new
// scores, the versions that scored them, who asked and when, and the teams that moved.
public abstract class RescoreChangelogTests(string provider) : IAsyncLifetime
{
    private CoreHarness _harness = default!;
    private CompetitionWorld _world = default!;

    public async Task InitializeAsync()
    {
        _harness = await CoreHarness.StartAsync(provider);
        _world = await CompetitionWorld.CreateAsync(_harness);
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private static int IndexOf(string label) => Array.IndexOf(CompetitionWorld.Classes, label);

    // The corrected truth: rows 0-19 were labelled wrongly in the first solution.
    private static string NewTruth(int row) => row < 20 ? CompetitionWorld.Classes[(IndexOf(CompetitionWorld.Truth(row)) + 2) % CompetitionWorld.Classes.Length] : CompetitionWorld.Truth(row);

    private static string Predictions(Func<int, string> label)
    {
        var csv = new StringBuilder("Id,Category\n");
        for (var row = 0; row < CompetitionWorld.Rows; row++)
        {
            csv.Append(row).Append(',').Append(label(row)).Append('\n');
        }
        return csv.ToString();
    }

    private async Task<long> ScoredAsync(string name, string csv)
    {
        var (user, _) = await _world.TeamAsync(name);
        var result = await _world.SubmitAsync(user, csv);
        Assert.True(result.Accepted, result.Message);
        await _world.WaitForScoringAsync(result.Submission!.Id);
        return result.Submission.Id;
    }

    [DatabaseFact]
    public async Task Rescoring_after_a_new_solution_writes_the_exact_old_and_new_scores_and_the_teams_that_moved()
    {
        // Ada: right on every public row and on the private rows with row % 4 == 1. Bob: right on the
        // private rows only. Cy: already right on the corrected rows.
        var ada = await ScoredAsync("ada", CompetitionWorld.SubmissionCsv(row => row % 2 == 0 || row % 4 == 1));
        var bob = await ScoredAsync("bob", CompetitionWorld.SubmissionCsv(row => row % 2 == 1));
        var cy = await ScoredAsync("cy", Predictions(NewTruth));
        var tasks = _harness.Get<TaskService>();
        var oldVersion = (await tasks.ListAsync(_world.Competition.Id)).Single().SolutionVersion;

        var upload = await tasks.UploadSolutionAsync(_world.Task.Id, CompetitionWorld.Stream(CompetitionWorld.SolutionCsv(NewTruth)), "solution-v2.csv", _world.Organizer);
        Assert.True(upload.Accepted);
        var newVersion = (await tasks.ListAsync(_world.Competition.Id)).Single().SolutionVersion;
        Assert.NotEqual(oldVersion, newVersion);
        Assert.Equal(3, await _harness.Get<SubmissionAdminService>().RescoreAsync(_world.Task.Id, null, _world.Organizer));

        var changelog = _harness.Get<RescoreChangelog>();
        RescoreEntry entry;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        do
        {
            await Task.Delay(50);
            entry = Assert.Single((await changelog.ListAsync(_world.Competition, _world.Organizer)).Value!);
        }
        while (!entry.Complete && DateTime.UtcNow < deadline);

        Assert.True(entry.Complete);
        Assert.Equal("organizer", entry.RequestedBy);
        Assert.Equal("classes", entry.TaskSlug);
        var byId = entry.Changes.ToDictionary(c => c.SubmissionId);
        Assert.Equal((1.0, 0.5, 0.9, 0.45), (byId[ada].OldPublic, byId[ada].OldPrivate, byId[ada].NewPublic, byId[ada].NewPrivate));
        Assert.Equal((0.0, 1.0, 0.0, 0.9), (byId[bob].OldPublic, byId[bob].OldPrivate, byId[bob].NewPublic, byId[bob].NewPrivate));
        Assert.Equal((0.9, 0.9, 1.0, 1.0), (byId[cy].OldPublic, byId[cy].OldPrivate, byId[cy].NewPublic, byId[cy].NewPrivate));
        Assert.All(entry.Changes, c =>
        {
            Assert.Equal((oldVersion, newVersion), (c.OldSolutionVersion, c.NewSolutionVersion));
            Assert.Equal(Challenge.Scoring.ScorerVersion.Current, c.NewScorerVersion);
            Assert.True(c.Changed);
        });
        var moves = entry.TeamsMoved.ToDictionary(m => m.Team);
        Assert.Equal((1, 2, 3, 3), (moves["Team ada"].PublicBefore, moves["Team ada"].PublicAfter, moves["Team ada"].PrivateBefore, moves["Team ada"].PrivateAfter));
        Assert.Equal((2, 1, 2, 1), (moves["Team cy"].PublicBefore, moves["Team cy"].PublicAfter, moves["Team cy"].PrivateBefore, moves["Team cy"].PrivateAfter));
        Assert.Equal((3, 3, 1, 2), (moves["Team bob"].PublicBefore, moves["Team bob"].PublicAfter, moves["Team bob"].PrivateBefore, moves["Team bob"].PrivateAfter));

        // The changelog holds private scores: before the reveal, only the organizers read it.
        var participant = CoreHarness.User("someone");
        Assert.Equal(Challenge.Core.Outcomes.OutcomeStatus.Forbidden, (await changelog.ListAsync(_world.Competition, participant)).Status);

        // Ada's team sees a notice of its changed public score, and nothing private before the reveal.
        await using var db = _harness.CreateDbContext();
        var adaTeam = await db.Submissions.Where(s => s.Id == ada).Select(s => s.TeamId).SingleAsync();
        var notice = Assert.Single(await changelog.NoticesAsync(_world.Competition, adaTeam));
        Assert.Equal((ada, 1.0, 0.9, (double?)null, (double?)null), (notice.SubmissionId, notice.OldPublic, notice.NewPublic, notice.OldPrivate, notice.NewPrivate));
        var bobTeam = await db.Submissions.Where(s => s.Id == bob).Select(s => s.TeamId).SingleAsync();
        Assert.Empty(await changelog.NoticesAsync(_world.Competition, bobTeam));
    }
}

public sealed class RescoreChangelogTestsOnSqlite() : RescoreChangelogTests(Challenge.Core.Data.DatabaseProviders.Sqlite);

public sealed class RescoreChangelogTestsOnPostgres() : RescoreChangelogTests(Challenge.Core.Data.DatabaseProviders.Postgres), IPostgresTests;
