using Challenge.Core.Data;
using Challenge.Core.Files;
using Challenge.Core.Leaderboards;
using Challenge.Core.Submissions;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Tests;

// The leaderboard service keeps boards in memory and, on a change event, reads again only the team
// it names. Whatever happens to submissions and teams, the board it serves must equal one built from
// scratch by a fresh service.
public sealed class IncrementalLeaderboardTests : IAsyncLifetime
{
    private CoreHarness _harness = default!;
    private CompetitionWorld _world = default!;
    private readonly List<int> _teams = [];
    private long _fileId;

    public async Task InitializeAsync()
    {
        _harness = await CoreHarness.StartAsync();
        _world = await CompetitionWorld.CreateAsync(_harness);
        foreach (var name in new[] { "ada", "bob", "cy", "dee", "eve", "fay" })
        {
            _teams.Add((await _world.TeamAsync(name)).Team.Id);
        }
        await using var db = _harness.CreateDbContext();
        // One baseline team: shown, never ranked.
        await db.Teams.Where(t => t.Id == _teams[5]).ExecuteUpdateAsync(t => t.SetProperty(x => x.IsBaseline, true));
        var file = new StoredFile { StorageKey = "submissions/test", OriginalName = "p.csv", Length = 1, Sha256 = "00", CreatedAtUtc = DateTime.UtcNow };
        db.StoredFiles.Add(file);
        await db.SaveChangesAsync();
        _fileId = file.Id;
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task After_random_scores_hides_rescores_selections_and_disqualifications_the_board_equals_a_full_rebuild(int seed)
    {
        var random = new Random(seed);
        var service = _harness.Get<LeaderboardService>();
        var notifier = _harness.Get<ILeaderboardNotifier>();
        var start = DateTime.UtcNow.AddDays(-2);
        var clock = 0;

        for (var step = 0; step < 150; step++)
        {
            var team = _teams[random.Next(_teams.Count)];
            await using (var db = _harness.CreateDbContext())
            {
                var own = await db.Submissions.Where(s => s.TeamId == team).Select(s => s.Id).ToListAsync();
                var operation = own.Count == 0 ? 0 : random.Next(8);
                var target = own.Count == 0 ? 0 : own[random.Next(own.Count)];
                switch (operation)
                {
                    case 0 or 1 or 2:
                        db.Submissions.Add(NewSubmission(team, random, start.AddMinutes(clock += random.Next(0, 2))));
                        await db.SaveChangesAsync();
                        break;
                    case 3:
                        await db.Submissions.Where(s => s.Id == target).ExecuteUpdateAsync(s => s.SetProperty(x => x.IsHidden, x => !x.IsHidden));
                        break;
                    case 4:
                        // A rescore: a new score, or the file is now refused.
                        var (publicScore, privateScore) = Scores(random);
                        var status = random.Next(4) == 0 ? SubmissionStatus.Rejected : SubmissionStatus.Scored;
                        await db.Submissions.Where(s => s.Id == target).ExecuteUpdateAsync(s => s
                            .SetProperty(x => x.Status, status).SetProperty(x => x.PublicScore, publicScore).SetProperty(x => x.PrivateScore, privateScore));
                        break;
                    case 5:
                        await db.Submissions.Where(s => s.Id == target).ExecuteUpdateAsync(s => s.SetProperty(x => x.IsSelected, x => !x.IsSelected));
                        break;
                    case 6:
                        // Waiting for a rescore: off the board until it is scored again.
                        await db.Submissions.Where(s => s.Id == target).ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, SubmissionStatus.Queued));
                        break;
                    default:
                        DateTime? disqualified = random.Next(3) == 0 ? DateTime.UtcNow : null;
                        await db.Teams.Where(t => t.Id == team).ExecuteUpdateAsync(t => t.SetProperty(x => x.DisqualifiedAtUtc, disqualified));
                        break;
                }
            }
            notifier.Publish(new LeaderboardChange(_world.Competition.Id, _world.Task.Id, team));

            if (step % 5 == 4 || random.Next(4) == 0)
            {
                await AssertSameAsFullBuildAsync(service);
            }
        }
        await AssertSameAsFullBuildAsync(service);
    }

    [Fact]
    public async Task Scores_landing_while_boards_are_read_all_reach_the_board()
    {
        var service = _harness.Get<LeaderboardService>();
        var notifier = _harness.Get<ILeaderboardNotifier>();
        var random = new Random(7);
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await service.GetAsync(_world.Task.Id, LeaderboardKind.Public);
            }
        })).ToList();

        for (var i = 0; i < 60; i++)
        {
            var team = _teams[i % _teams.Count];
            await using (var db = _harness.CreateDbContext())
            {
                db.Submissions.Add(NewSubmission(team, random, DateTime.UtcNow.AddMinutes(-60 + i)));
                await db.SaveChangesAsync();
            }
            notifier.Publish(new LeaderboardChange(_world.Competition.Id, _world.Task.Id, team));
        }
        await stop.CancelAsync();
        await Task.WhenAll(readers);

        await AssertSameAsFullBuildAsync(service);
    }

    [Fact]
    public async Task A_read_that_begins_after_a_change_was_announced_shows_it_while_others_keep_reading()
    {
        var service = _harness.Get<LeaderboardService>();
        var notifier = _harness.Get<ILeaderboardNotifier>();
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await service.GetAsync(_world.Task.Id, LeaderboardKind.Public);
            }
        })).ToList();

        var entries = new Dictionary<int, int>();
        for (var i = 0; i < 40; i++)
        {
            var team = _teams[i % 5];
            await using (var db = _harness.CreateDbContext())
            {
                var submission = NewSubmission(team, new Random(i), DateTime.UtcNow.AddMinutes(-60 + i));
                submission.Status = SubmissionStatus.Scored;
                submission.PublicScore = 0.5;
                db.Submissions.Add(submission);
                await db.SaveChangesAsync();
            }
            notifier.Publish(new LeaderboardChange(_world.Competition.Id, _world.Task.Id, team));
            entries[team] = entries.GetValueOrDefault(team) + 1;

            var board = await service.GetAsync(_world.Task.Id, LeaderboardKind.Public);
            Assert.Equal(entries[team], board.Rows.Single(r => r.TeamId == team).Entries);
        }
        await stop.CancelAsync();
        await Task.WhenAll(readers);
    }

    private async Task AssertSameAsFullBuildAsync(LeaderboardService incremental)
    {
        var fresh = new LeaderboardService(_harness.Get<IDbContextFactory<ChallengeDbContext>>(), new InProcessLeaderboardNotifier(), TimeProvider.System, _harness.Get<Microsoft.AspNetCore.Authorization.IAuthorizationService>());
        foreach (var kind in new[] { LeaderboardKind.Public, LeaderboardKind.Private })
        {
            var expected = Describe(await fresh.GetAsync(_world.Task.Id, kind));
            var actual = Describe(await incremental.GetAsync(_world.Task.Id, kind));
            Assert.Equal(expected, actual);
        }
    }

    private static List<string> Describe(Leaderboard board) =>
        board.Rows.Select(r => $"{r.Rank}|{r.TeamId}|{r.Team}|{string.Join(",", r.Members)}|{r.Score:R}|{r.Lower:R}|{r.Upper:R}|{r.Entries}|{r.LastSubmissionUtc:O}|{r.BestAtUtc:O}|{r.IsBaseline}|{r.PublicRank}|{r.DiffersFromNext}").ToList();

    // Few distinct values, so ties are common; some scores missing or infinite.
    private static (double? Public, double? Private) Scores(Random random)
    {
        double? Pick() => random.Next(10) switch
        {
            0 => null,
            1 => double.PositiveInfinity,
            var n => n / 10.0,
        };
        return (Pick(), Pick());
    }

    private Submission NewSubmission(int team, Random random, DateTime createdAtUtc)
    {
        var (publicScore, privateScore) = Scores(random);
        var status = random.Next(6) switch { 0 => SubmissionStatus.Rejected, 1 => SubmissionStatus.Queued, _ => SubmissionStatus.Scored };
        var withInterval = publicScore is { } p && double.IsFinite(p) && random.Next(2) == 0;
        return new Submission
        {
            CompetitionId = _world.Competition.Id,
            TaskId = _world.Task.Id,
            TeamId = team,
            SubmittedById = "test",
            StoredFileId = _fileId,
            FileName = "p.csv",
            Status = status,
            CreatedAtUtc = createdAtUtc,
            QuotaDay = SubmissionService.QuotaDayOf(createdAtUtc),
            PublicScore = status == SubmissionStatus.Scored ? publicScore : null,
            PrivateScore = status == SubmissionStatus.Scored ? privateScore : null,
            PublicLower = withInterval ? publicScore - 0.05 : null,
            PublicUpper = withInterval ? publicScore + 0.05 : null,
        };
    }
}
