using System.Security.Claims;
using System.Text;
using Challenge.Core.Challenges;
using Challenge.Core.Leaderboards;
using Challenge.Core.Tasks;
using Challenge.Scoring.Metrics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Challenge.Web.Api;

// Public reads. GET /api/challenges and GET /api/challenges/{slug}/leaderboard are read by outside
// tools: keep their shape stable.
internal static class ChallengeEndpoints
{
    public static RouteGroupBuilder MapChallengeEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/challenges", ListAsync).WithName("ListChallenges").WithSummary("Published challenges with their tasks.");
        api.MapGet("/challenges/{slug}", GetAsync).WithChallengeRoute().WithName("GetChallenge").WithSummary("A challenge with its tasks, dates and phase; a draft only for those who manage it.");
        var challenge = api.MapChallengeGroup();
        // Polled by many clients: the challenge and its tasks may come from a cache of a second.
        challenge.MapGet("/leaderboard", LeaderboardAsync).WithName("GetLeaderboard").WithMetadata(CachedChallengeRoute.Instance)
            .Produces<LeaderboardDto>(StatusCodes.Status200OK, "application/json")
            .WithSummary("One entry per team: rank, team, score, entries, isBaseline. ?task= picks the task (default: the first); ?kind=private after the reveal.");
        challenge.MapGet("/leaderboard.csv", LeaderboardCsvAsync).WithName("GetLeaderboardCsv").WithSummary("The leaderboard as CSV (rank, team, members, score, entries, last_submission, is_baseline); ?task= and ?kind= as for the JSON.");
        challenge.MapGet("/stability", StabilityAsync).WithName("GetStabilityReport")
            .WithSummary("After the reveal: public vs private rank per team, Kendall's tau, rank intervals on the private part and the chance that the winner is the true best. ?task= picks the task.");
        challenge.MapGet("/stability.csv", StabilityCsvAsync).WithName("GetStabilityReportCsv");
        challenge.MapGet("/rescores", RescoresAsync).WithName("GetRescoreChangelog")
            .WithSummary("Every rescore: when, by whom, each submission's old and new scores and versions, and the teams that moved. Organizers always; everyone after the reveal.");
        return api;
    }

    private static async Task<Results<Ok<IReadOnlyList<Challenge.Core.Rescoring.RescoreEntry>>, ProblemHttpResult>> RescoresAsync(
        ChallengeRoute route, ClaimsPrincipal user, Challenge.Core.Rescoring.RescoreChangelog changelog, CancellationToken cancellationToken)
    {
        var entries = await changelog.ListAsync(route.Challenge, user, cancellationToken);
        return entries.Value is { } found ? TypedResults.Ok(found) : entries.ToProblem();
    }

    private static async Task<Results<Ok<StabilityReport>, ProblemHttpResult>> StabilityAsync(
        ChallengeRoute route, string? task, ClaimsPrincipal user, StabilityReports reports, CancellationToken cancellationToken)
    {
        var (report, problem) = await ResolveReportAsync(route, task, user, reports, cancellationToken);
        return report is null ? problem! : TypedResults.Ok(report);
    }

    private static async Task<IResult> StabilityCsvAsync(
        ChallengeRoute route, string? task, ClaimsPrincipal user, StabilityReports reports, CancellationToken cancellationToken)
    {
        var (report, problem) = await ResolveReportAsync(route, task, user, reports, cancellationToken);
        if (report is null)
        {
            return problem!;
        }
        var csv = new StringBuilder(CsvExport.Line("team", "public_rank", "private_rank", "move", "public_score", "private_score", "rank_lower", "rank_upper", "probability_first", "group"));
        foreach (var row in report.Teams)
        {
            csv.Append(CsvExport.Line(row.Team, row.PublicRank, row.PrivateRank, row.Move, row.PublicScore, row.PrivateScore, row.RankLower, row.RankUpper, row.ProbabilityFirst, row.Group));
        }
        return CsvExport.File(csv, $"{route.Challenge.Slug}-{report.TaskSlug}-stability.csv");
    }

    private static async Task<(StabilityReport? Report, ProblemHttpResult? Problem)> ResolveReportAsync(
        ChallengeRoute route, string? taskSlug, ClaimsPrincipal user, StabilityReports reports, CancellationToken cancellationToken)
    {
        var task = string.IsNullOrEmpty(taskSlug) ? route.Tasks.FirstOrDefault() : route.Tasks.FirstOrDefault(t => t.Slug == taskSlug);
        if (task is null)
        {
            return (null, TypedResults.Problem(statusCode: 404, title: "Not found", detail: string.IsNullOrEmpty(taskSlug) ? "This challenge has no task yet." : $"No task '{taskSlug}'."));
        }
        var report = await reports.GetForAsync(route.Challenge, task.Id, user, cancellationToken);
        return report.Value is { } found ? (found, null) : (null, report.ToProblem());
    }

    private static async Task<Ok<List<ChallengeDto>>> ListAsync(CompetitionService competitions, TaskService tasks, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var result = new List<ChallengeDto>();
        foreach (var challenge in await competitions.ListPublishedAsync(cancellationToken))
        {
            result.Add(ToDto(challenge, await tasks.ListAsync(challenge.Id, cancellationToken), now));
        }
        return TypedResults.Ok(result);
    }

    private static Ok<ChallengeDto> GetAsync(ChallengeRoute route, TimeProvider clock) =>
        TypedResults.Ok(ToDto(route.Challenge, route.Tasks, clock.GetUtcNow().UtcDateTime));

    private static async Task<Results<FileContentHttpResult, StatusCodeHttpResult, ProblemHttpResult>> LeaderboardAsync(
        ChallengeRoute route, string? task, string? kind, ClaimsPrincipal user, HttpContext http,
        LeaderboardService leaderboards, RankIntervalService rankIntervals, LeaderboardBodies bodies, IOptions<JsonOptions> json, CancellationToken cancellationToken)
    {
        var slug = route.Challenge.Slug;
        var (board, problem) = await ResolveBoardAsync(route, task, kind, user, leaderboards, cancellationToken);
        if (board is null)
        {
            return problem!;
        }
        var intervalsOn = route.Tasks.Single(t => t.Id == board.TaskId) is { BootstrapEnabled: true, Family: TaskFamily.Predictions };
        var body = bodies.For(slug, board, json.Value.SerializerOptions, intervalsOn ? rankIntervals.For(board) : null, intervalsOn);
        http.Response.Headers.ETag = body.ETag;
        // Readers may keep a copy but must ask again before using it: the board moves with every score.
        http.Response.Headers.CacheControl = "no-cache";
        return body.IsKnownTo(http.Request)
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : TypedResults.Bytes(body.Utf8, "application/json; charset=utf-8");
    }

    private static async Task<IResult> LeaderboardCsvAsync(
        ChallengeRoute route, string? task, string? kind, ClaimsPrincipal user, LeaderboardService leaderboards, CancellationToken cancellationToken)
    {
        var slug = route.Challenge.Slug;
        var (board, problem) = await ResolveBoardAsync(route, task, kind, user, leaderboards, cancellationToken);
        if (board is null)
        {
            return problem!;
        }
        var csv = new StringBuilder(CsvExport.Line("rank", "team", "members", "score", "entries", "last_submission", "is_baseline"));
        foreach (var row in board.Rows)
        {
            csv.Append(CsvExport.Line(row.Rank, row.Team, string.Join("; ", row.Members), row.Score, row.Entries, row.LastSubmissionUtc, row.IsBaseline));
        }
        return CsvExport.File(csv, $"{slug}-{board.TaskSlug}-{board.Kind.ToString().ToLowerInvariant()}-leaderboard.csv");
    }

    private static async Task<(Leaderboard? Board, ProblemHttpResult? Problem)> ResolveBoardAsync(
        ChallengeRoute route, string? taskSlug, string? kind, ClaimsPrincipal user, LeaderboardService leaderboards, CancellationToken cancellationToken)
    {
        var challenge = route.Challenge;
        var task = string.IsNullOrEmpty(taskSlug) ? route.Tasks.FirstOrDefault() : route.Tasks.FirstOrDefault(t => t.Slug == taskSlug);
        if (task is null)
        {
            return (null, TypedResults.Problem(statusCode: 404, title: "Not found", detail: string.IsNullOrEmpty(taskSlug) ? "This challenge has no task yet." : $"No task '{taskSlug}'."));
        }
        var wantsPrivate = string.Equals(kind, "private", StringComparison.OrdinalIgnoreCase);
        var board = await leaderboards.GetForAsync(challenge, task.Id, wantsPrivate ? LeaderboardKind.Private : LeaderboardKind.Public, user, cancellationToken);
        return board.Value is { } found ? (found, null) : (null, board.ToProblem());
    }

    private static ChallengeDto ToDto(Competition challenge, IReadOnlyList<CompetitionTask> tasks, DateTime nowUtc) => new(
        challenge.Slug, challenge.Title, challenge.Subtitle, challenge.StartsAtUtc, challenge.EndsAtUtc,
        challenge.PhaseAt(nowUtc).ToString().ToLowerInvariant(), challenge.IsPrivateRevealed,
        tasks.Select(t => new TaskDto(t.Slug, t.Title, t.Kind.ToString().ToLowerInvariant(), t.Metric, MetricCatalog.Find(t.Metric)?.HigherIsBetter ?? true)).ToList());
}
