using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Challenge.Core.Data;
using Challenge.Core.Leaderboards;

namespace Challenge.Web.Tests;

// Many open leaderboard pages follow one live feed. After a burst of scores every viewer must end on
// the board the JSON API serves, and none may ever be handed an older version after a newer one.
public abstract class LiveLeaderboardTests(string provider)
{
    private const int Viewers = 60;
    private const int UploadsPerTeam = 6;

    [DatabaseFact]
    public async Task Every_one_of_sixty_viewers_ends_on_the_boards_json_after_a_burst_of_scores_and_never_goes_back_a_version()
    {
        await using var site = await CompetitionSite.StartAsync(dailyLimit: 100, provider: provider);
        var feed = site.Get<LeaderboardFeed>();
        var seen = Enumerable.Range(0, Viewers).Select(_ => new ConcurrentQueue<LiveBoard>()).ToArray();
        var subscriptions = seen.Select(queue => feed.Subscribe(site.Task.Id, queue.Enqueue)).ToList();
        try
        {
            // Both teams upload at once, each file right on a different share of the rows, so every
            // score moves the board (score, entries, often the ranks).
            var uploads = new[] { site.Ada, site.Bob }.SelectMany((team, t) => Enumerable.Range(0, UploadsPerTeam)
                .Select(i => site.SubmitAsync(team, Predictions(right: 4 + 6 * i + 3 * t), $"burst{i}.csv")));
            var ids = new List<long>();
            foreach (var response in await Task.WhenAll(uploads))
            {
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
            }
            foreach (var id in ids)
            {
                await site.WaitForScoringAsync(id);
            }

            var json = Rows(await site.Ada.Api.GetFromJsonAsync<JsonElement>($"/api/challenges/{CompetitionSite.Slug}/leaderboard"));
            Assert.Equal(2, json.Count);
            Assert.Equal(2 * UploadsPerTeam, json.Sum(r => int.Parse(r.Split('|')[3], CultureInfo.InvariantCulture)));

            // Delivery is asynchronous: wait (bounded) until each viewer holds the board the API shows.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (seen.Any(queue => queue.IsEmpty || !Rows(queue.Last().Public).SequenceEqual(json)) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
            for (var viewer = 0; viewer < Viewers; viewer++)
            {
                var versions = seen[viewer].Select(b => b.Version).ToList();
                Assert.True(versions.Count > 0, $"Viewer {viewer} received nothing.");
                Assert.True(versions.Zip(versions.Skip(1)).All(pair => pair.Second > pair.First), $"Viewer {viewer} went back a version: {string.Join(", ", versions)}");
                Assert.Equal(json, Rows(seen[viewer].Last().Public));
            }
            // Every viewer is handed the same shared version, not a board of its own.
            Assert.Single(seen.Select(queue => queue.Last()).Distinct());
        }
        finally
        {
            subscriptions.ForEach(s => s.Dispose());
        }
    }

    // Right on the first `right` of the 40 rows, wrong on the others.
    private static string Predictions(int right)
    {
        var csv = new StringBuilder("Id,Category\n");
        for (var row = 0; row < 40; row++)
        {
            var truth = CompetitionSite.Truth(row);
            var wrong = CompetitionSite.Classes[(Array.IndexOf(CompetitionSite.Classes, truth) + 1) % CompetitionSite.Classes.Length];
            csv.Append(CultureInfo.InvariantCulture, $"{row},{(row < right ? truth : wrong)}\n");
        }
        return csv.ToString();
    }

    private static List<string> Rows(Leaderboard board) =>
        [.. board.Rows.Select(r => Row(r.Rank, r.Team, r.Score, r.Entries))];

    private static List<string> Rows(JsonElement board) =>
        [.. board.GetProperty("entries").EnumerateArray().Select(e => Row(
            e.GetProperty("rank").ValueKind == JsonValueKind.Number ? e.GetProperty("rank").GetInt32() : null,
            e.GetProperty("team").GetString()!,
            e.GetProperty("score").ValueKind == JsonValueKind.Number ? e.GetProperty("score").GetDouble() : null,
            e.GetProperty("entries").GetInt32()))];

    private static string Row(int? rank, string team, double? score, int entries) =>
        string.Create(CultureInfo.InvariantCulture, $"{rank}|{team}|{score:R}|{entries}");
}

public sealed class LiveLeaderboardTestsOnSqlite() : LiveLeaderboardTests(DatabaseProviders.Sqlite);

public sealed class LiveLeaderboardTestsOnPostgres() : LiveLeaderboardTests(DatabaseProviders.Postgres), IPostgresTests;
