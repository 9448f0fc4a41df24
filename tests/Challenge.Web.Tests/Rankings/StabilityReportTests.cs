using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Web.Tests.Rankings;

// The stability report and the rank intervals over the real HTTP pipeline: nothing private before
// the reveal, everything after it, and the leaderboard JSON keeps its fields and gains the new ones.
public abstract class StabilityReportTests(string provider)
{
    // Ada is right on every public row and on every other private one; Bob is wrong on a quarter of
    // the public rows and right on every private one: the two swap places at the reveal.
    public static string AdaCsv() => Csv(row => row % 2 == 0 || row % 4 == 1);

    public static string BobCsv() => Csv(row => row % 2 == 1 || row % 8 != 0);

    private static string Csv(Func<int, bool> right)
    {
        var csv = new StringBuilder("Id,Category\n");
        for (var row = 0; row < 40; row++)
        {
            var truth = CompetitionSite.Truth(row);
            csv.Append($"{row},{(right(row) ? truth : CompetitionSite.Classes[(Array.IndexOf(CompetitionSite.Classes, truth) + 1) % 4])}\n");
        }
        return csv.ToString();
    }

    public static async Task<CompetitionSite> SwappedBoardAsync(string provider, Action<Challenge.Web.Tests.ChallengeWebFactory>? configure = null)
    {
        var site = await CompetitionSite.StartAsync(provider: provider, configure: configure);
        await using (var db = site.Factory.OpenDbContext())
        {
            await db.Tasks.ExecuteUpdateAsync(t => t.SetProperty(x => x.BootstrapEnabled, true).SetProperty(x => x.RankResamples, 200));
        }
        foreach (var (participant, csv) in new[] { (site.Ada, AdaCsv()), (site.Bob, BobCsv()) })
        {
            var response = await site.SubmitAsync(participant, csv);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            await site.WaitForScoringAsync((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
        }
        return site;
    }

    public static async Task RevealAsync(CompetitionSite site)
    {
        await using var db = site.Factory.OpenDbContext();
        await db.Competitions.ExecuteUpdateAsync(c => c
            .SetProperty(x => x.EndsAtUtc, DateTime.UtcNow.AddHours(-1))
            .SetProperty(x => x.PrivateRevealedAtUtc, DateTime.UtcNow));
    }

    [DatabaseFact]
    public async Task Before_the_reveal_only_organizers_get_the_report_and_after_it_everyone_gets_tau_moves_and_intervals()
    {
        await using var site = await SwappedBoardAsync(provider);
        var anonymous = site.Factory.CreateClient();
        var report = $"/api/challenges/{CompetitionSite.Slug}/stability";
        foreach (var client in new[] { anonymous, site.Ada.Api, site.Bob.Api })
        {
            foreach (var path in new[] { report, report + ".csv" })
            {
                var refused = await client.GetAsync(path);
                Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
                var body = await refused.Content.ReadAsStringAsync();
                Assert.DoesNotContain("privateScore", body, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("Abyssal", body);
            }
        }
        var page = await site.Ada.Browser.GetStringAsync($"/challenges/{CompetitionSite.Slug}/stability");
        Assert.Contains("published when the private leaderboard is revealed", page);
        Assert.DoesNotContain("kendall-tau", page);
        Assert.Equal(HttpStatusCode.OK, (await site.Organizer.Api.GetAsync(report)).StatusCode);

        await RevealAsync(site);
        var json = await anonymous.GetFromJsonAsync<JsonElement>(report);
        Assert.Equal(-1.0, json.GetProperty("kendallTau").GetDouble(), 1e-12);
        Assert.Equal(200, json.GetProperty("resamples").GetInt32());
        var teams = json.GetProperty("teams").EnumerateArray().ToList();
        var bob = teams.Single(t => t.GetProperty("team").GetString() == "Benthic");
        Assert.Equal((2, 1, 1), (bob.GetProperty("publicRank").GetInt32(), bob.GetProperty("privateRank").GetInt32(), bob.GetProperty("move").GetInt32()));
        Assert.Equal(1.0, bob.GetProperty("privateScore").GetDouble());
        Assert.Equal(1, bob.GetProperty("rankLower").GetInt32());
        var winnerBest = json.GetProperty("probabilityWinnerIsBest").GetDouble();
        Assert.InRange(winnerBest, 0.5, 1.0);
        Assert.Equal(bob.GetProperty("probabilityFirst").GetDouble(), winnerBest);
        var csv = await anonymous.GetStringAsync(report + ".csv");
        Assert.StartsWith("team,public_rank,private_rank,move,public_score,private_score,rank_lower,rank_upper,probability_first,group\n", csv);
        Assert.Contains("Benthic,2,1,1,", csv);
    }

    [DatabaseFact]
    public async Task The_leaderboard_json_keeps_its_fields_and_gains_rank_intervals_and_provenance_once_computed()
    {
        await using var site = await SwappedBoardAsync(provider);
        var board = $"/api/challenges/{CompetitionSite.Slug}/leaderboard";
        await site.Get<Challenge.Core.Leaderboards.RankIntervalService>().ComputeNowAsync(site.Task.Id, Challenge.Core.Leaderboards.LeaderboardKind.Public);

        var json = await site.Factory.CreateClient().GetFromJsonAsync<JsonElement>(board);
        Assert.Equal("ready", json.GetProperty("rankIntervals").GetProperty("status").GetString());
        var ada = json.GetProperty("entries").EnumerateArray().Single(e => e.GetProperty("team").GetString() == "Abyssal");
        foreach (var stable in new[] { "rank", "team", "members", "score", "entries", "lastSubmission", "isBaseline", "publicRank" })
        {
            Assert.True(ada.TryGetProperty(stable, out _), stable);
        }
        Assert.Equal(1, ada.GetProperty("rank").GetInt32());
        Assert.Equal(1, ada.GetProperty("rankLower").GetInt32());
        Assert.InRange(ada.GetProperty("rankUpper").GetInt32(), 1, 2);
        Assert.InRange(ada.GetProperty("probabilityFirst").GetDouble(), 0.5, 1);
        Assert.Equal(Challenge.Scoring.ScorerVersion.Current, ada.GetProperty("scorerVersion").GetString());
        Assert.Equal(64, ada.GetProperty("submissionSha256").GetString()!.Length);
        Assert.Equal(site.Task.SolutionVersion, ada.GetProperty("solutionVersion").GetInt32());
    }
}

public sealed class StabilityReportTestsOnSqlite() : StabilityReportTests(Challenge.Core.Data.DatabaseProviders.Sqlite);

public sealed class StabilityReportTestsOnPostgres() : StabilityReportTests(Challenge.Core.Data.DatabaseProviders.Postgres), IPostgresTests;
