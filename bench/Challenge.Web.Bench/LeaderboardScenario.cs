using System.Diagnostics;
using System.Globalization;
using Challenge.Core;
using Challenge.Core.Data;
using Challenge.Core.Leaderboards;
using Challenge.Core.Submissions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Challenge.Web.Bench;

internal sealed record LeaderboardOptions(int Teams, int Submissions, int Requests, int HtmlRequests, int Invalidations, int Readers);

// Leaderboard reads on a busy task: the JSON API and the server-rendered page, cold, right after
// a score invalidated the cached board, and warm.
internal static class LeaderboardScenario
{
    private const int SolutionRows = 20_000;

    public static async Task<int> RunAsync(string serverDll, string dataDirectory, LeaderboardOptions options)
    {
        var startsAt = DateTime.UtcNow.AddDays(-30);
        var setup = Stopwatch.StartNew();
        Participant participant;
        TimeSpan bulk;
        await using (var world = await BenchWorld.CreateAsync(dataDirectory, SolutionRows, startsAt))
        {
            participant = await world.AddParticipantAsync("reader00");
            bulk = await world.AddHistoryAsync(options.Teams - 1, options.Submissions, startsAt);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Setup: {options.Teams:N0} teams, {options.Submissions:N0} scored submissions in {setup.Elapsed.TotalSeconds:0.0} s (bulk rows {bulk.TotalSeconds:0.0} s); database {new FileInfo(Path.Combine(dataDirectory, "challenge.db")).Length / 1048576.0:0} MB."));

        var started = Stopwatch.StartNew();
        var server = await ServerProcess.StartAsync(serverDll, dataDirectory, Path.Combine(dataDirectory, "server.log"));
        var startup = started.Elapsed.TotalMilliseconds;
        Console.WriteLine($"Server: {server.Address} (pid {server.ProcessId}), answering /health after {startup:0} ms.");
        using var client = new BenchClient(server.Address);
        var rows = new List<IReadOnlyList<string>>();
        var errors = new List<string>();
        string load;
        long jsonBytes;
        long htmlBytes;
        string staleProbe;
        double staleFor;
        await using (server)
        {
            var coldJson = await client.TimeGetAsync(BenchClient.LeaderboardPath);
            Check(coldJson, "cold JSON", errors);
            jsonBytes = coldJson.Bytes;
            var warmJson = await RepeatAsync(client, BenchClient.LeaderboardPath, options.Requests, errors);
            var coldHtml = await client.TimeGetAsync(BenchClient.LeaderboardPagePath);
            Check(coldHtml, "first HTML", errors);
            htmlBytes = coldHtml.Bytes;
            var warmHtml = await RepeatAsync(client, BenchClient.LeaderboardPagePath, options.HtmlRequests, errors);
            var (concurrentJson, perSecond) = await ConcurrentAsync(client, BenchClient.LeaderboardPath, options.Readers, options.Requests, errors);

            // Each scored upload changes one team, so the next read pays that team's refresh.
            var rebuildJson = new List<double>();
            var rebuildHtml = new List<double>();
            var scoredToRead = new List<double>();
            var csv = LatencyScenario.SubmissionCsv(SolutionRows, 0, 0.99);
            for (var i = 0; i < 2 * options.Invalidations; i++)
            {
                var waited = await SubmitAndWaitAsync(client, participant, csv, errors);
                if (waited is null)
                {
                    continue;
                }
                scoredToRead.Add(waited.Value);
                var timed = await client.TimeGetAsync(i < options.Invalidations ? BenchClient.LeaderboardPath : BenchClient.LeaderboardPagePath);
                Check(timed, "read after a score", errors);
                (i < options.Invalidations ? rebuildJson : rebuildHtml).Add(timed.Milliseconds);
            }
            (staleProbe, staleFor) = await StaleProbeAsync(client, participant, errors);
            load = Table.LoadAverage();

            rows.Add(Table.SummaryRow("JSON, first read after start", Summary.Of([coldJson.Milliseconds]), "cold process, board built"));
            rows.Add(Table.SummaryRow("JSON, first read after a score", Summary.Of(rebuildJson), "board refreshed; goal < 100"));
            rows.Add(Table.SummaryRow("JSON, warm (cached board)", Summary.Of(warmJson.Select(t => t.Milliseconds).ToList()), $"sequential; goal < 100; {BenchClient.Kb(jsonBytes)}"));
            rows.Add(Table.SummaryRow($"JSON, warm, {options.Readers} concurrent readers", Summary.Of(concurrentJson),
                perSecond.ToString("0", CultureInfo.InvariantCulture) + " reads/s"));
            rows.Add(Table.SummaryRow("HTML page, first render", Summary.Of([coldHtml.Milliseconds]), "board cached by the JSON read"));
            rows.Add(Table.SummaryRow("HTML page, first render after a score", Summary.Of(rebuildHtml), "board refreshed; goal < 100"));
            rows.Add(Table.SummaryRow("HTML page, warm", Summary.Of(warmHtml.Select(t => t.Milliseconds).ToList()), $"sequential; goal < 100; {BenchClient.Kb(htmlBytes)}"));
            rows.Add(Table.SummaryRow("HTML page, warm, time to first byte", Summary.Of(warmHtml.Select(t => t.FirstByteMilliseconds).ToList()), "prerender is not streamed"));
            rows.Add(Table.SummaryRow("(upload -> status scored, 20k rows)", Summary.Of(scoredToRead), "on this database"));
        }

        Console.WriteLine();
        Console.WriteLine($"leaderboard: {options.Teams:N0} teams, {options.Submissions:N0} scored submissions on one task; GET {BenchClient.LeaderboardPath} and GET {BenchClient.LeaderboardPagePath} (anonymous)");
        Table.Print("Client view, wall time to the last byte", Table.SummaryHeader, rows);
        Console.WriteLine();
        Console.WriteLine($"{Environment.ProcessorCount} cores; load average {load}");
        Console.WriteLine($"stale-board probe (a score lands while a rebuild is running): {staleProbe}");
        if (staleFor > 0)
        {
            errors.Add($"the board still lacked a scored submission {staleFor:0.0} s after it was scored");
        }

        await ProfileBuildAsync(dataDirectory);
        foreach (var error in errors.Take(10))
        {
            Console.WriteLine("error: " + error);
        }
        return errors.Count == 0 ? 0 : 1;
    }

    // A read that starts a rebuild, and a score that lands while that rebuild runs: the cache must
    // not keep the board built before the score. Returns what happened and, when the board stayed
    // stale, for how long it was watched.
    private static async Task<(string Outcome, double StaleSeconds)> StaleProbeAsync(BenchClient client, Participant participant, List<string> errors)
    {
        // Ever better files, so each score is the team's new best and must change its row.
        var before = await client.LeaderboardAsync();
        before.TryGetValue(participant.TeamName, out var shown);
        var csv = LatencyScenario.SubmissionCsv(SolutionRows, 7, 0.995);
        if (await SubmitAndWaitAsync(client, participant, LatencyScenario.SubmissionCsv(SolutionRows, 7, 0.97), errors) is null)
        {
            return ("not run: the first upload failed", 0);
        }
        // The score invalidated the board; this read rebuilds it, and the next score lands meanwhile.
        var rebuilding = client.TimeGetAsync(BenchClient.LeaderboardPath);
        var accepted = await client.SubmitAsync(participant.Token, csv, "during-rebuild.csv");
        if (accepted.Id == 0)
        {
            return ($"not run: HTTP {(int)accepted.Status}", 0);
        }
        SubmissionState state;
        var waited = Stopwatch.StartNew();
        do
        {
            await Task.Delay(20);
            state = await client.StatusAsync(participant.Token, accepted.Id);
        }
        while (state.Status is "queued" or "scoring" && waited.Elapsed < TimeSpan.FromSeconds(60));
        var rebuild = await rebuilding;
        var scoredAt = waited.Elapsed;
        if (state.Status != "scored" || state.PublicScore is not { } score)
        {
            return ($"not run: the second upload ended {state.Status}", 0);
        }
        var stillRebuilding = rebuild.Milliseconds > scoredAt.TotalMilliseconds;
        // Give the change event and any rebuild it causes ample time, then look for the score.
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(15))
        {
            var board = await client.LeaderboardAsync();
            if (board.TryGetValue(participant.TeamName, out var now) && now == score)
            {
                return ($"fresh: the new score {score} showed {watch.Elapsed.TotalSeconds:0.0} s after it was scored (rebuild read took {rebuild.Milliseconds:0} ms; scored {(stillRebuilding ? "during" : "after")} it; board had {shown})", 0);
            }
            await Task.Delay(500);
        }
        return ($"STALE: submission {accepted.Id} is scored {score} but the board still shows {(await client.LeaderboardAsync()).GetValueOrDefault(participant.TeamName)} " +
            $"{watch.Elapsed.TotalSeconds:0} s later (it was scored {(stillRebuilding ? "while" : "after")} a {rebuild.Milliseconds:0} ms rebuild ran; no later score has invalidated the board)", watch.Elapsed.TotalSeconds);
    }

    private static void Check(Timed timed, string what, List<string> errors)
    {
        if ((int)timed.Status != 200)
        {
            errors.Add($"{what}: HTTP {(int)timed.Status}");
        }
    }

    private static async Task<List<Timed>> RepeatAsync(BenchClient client, string path, int count, List<string> errors)
    {
        var results = new List<Timed>(count);
        for (var i = 0; i < count; i++)
        {
            var timed = await client.TimeGetAsync(path);
            Check(timed, path, errors);
            results.Add(timed);
        }
        return results;
    }

    private static async Task<(List<double> Milliseconds, double PerSecond)> ConcurrentAsync(BenchClient client, string path, int readers, int total, List<string> errors)
    {
        var all = new List<double>();
        var wall = Stopwatch.StartNew();
        var perReader = Math.Max(1, total / readers);
        var results = await Task.WhenAll(Enumerable.Range(0, readers).Select(_ => RepeatAsync(client, path, perReader, errors)));
        var seconds = wall.Elapsed.TotalSeconds;
        foreach (var result in results)
        {
            all.AddRange(result.Select(t => t.Milliseconds));
        }
        return (all, all.Count / seconds);
    }

    // Returns the upload-to-scored time once the score is in and its change event has certainly run.
    private static async Task<double?> SubmitAndWaitAsync(BenchClient client, Participant participant, byte[] csv, List<string> errors)
    {
        var start = Stopwatch.GetTimestamp();
        var accepted = await client.SubmitAsync(participant.Token, csv, "again.csv");
        if (accepted.Id == 0)
        {
            errors.Add($"upload: HTTP {(int)accepted.Status} {accepted.Problem}");
            return null;
        }
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            var state = await client.StatusAsync(participant.Token, accepted.Id);
            if (state.Status is not ("queued" or "scoring"))
            {
                var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (state.Status != "scored")
                {
                    errors.Add($"upload: ended {state.Status}");
                    return null;
                }
                // The change event fires right after the scored row is saved; leave it time to land.
                await Task.Delay(300);
                return elapsed;
            }
            await Task.Delay(20);
        }
        errors.Add("upload: not scored within 60 s");
        return null;
    }

    // The board in this process: a full build and the refresh after one team's change, then the
    // full build stage by stage with the service's queries (and, for comparison, the two queries
    // the build before the incremental board ran), to say where the time goes.
    private static async Task ProfileBuildAsync(string dataDirectory)
    {
        var connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(dataDirectory, "challenge.db"), DefaultTimeout = 60 }.ToString();
        var options = new DbContextOptionsBuilder<ChallengeDbContext>()
            .UseSqlite(connectionString, sqlite => sqlite.MigrationsAssembly(CoreServiceCollectionExtensions.SqliteMigrationsAssembly))
            .Options;
        var factory = new PooledDbContextFactory<ChallengeDbContext>(options);
        var notifier = new InProcessLeaderboardNotifier();
        var service = new LeaderboardService(factory, notifier, TimeProvider.System, new NoPrivateBoards());
        int taskId;
        int competitionId;
        await using (var db = await factory.CreateDbContextAsync())
        {
            var task = await db.Tasks.AsNoTracking().SingleAsync();
            taskId = task.Id;
            competitionId = task.CompetitionId;
        }

        var stages = new Dictionary<string, List<double>>();
        void Add(string stage, double ms) => (stages.TryGetValue(stage, out var list) ? list : stages[stage] = []).Add(ms);
        string? visibleSql = null;
        string? teamSql = null;
        string? submissionsSql = null;
        string? lastSql = null;
        string? perDaySql = null;
        for (var run = 0; run < 6; run++)
        {
            var record = run > 0;
            var watch = Stopwatch.StartNew();
            service.Invalidate(taskId);
            var board = await service.GetAsync(taskId, LeaderboardKind.Public);
            if (record)
            {
                Add("LeaderboardService full build (start, or a change naming no team)", watch.Elapsed.TotalMilliseconds);
            }
            var changed = board.Rows[board.Rows.Count * run / 7];
            watch.Restart();
            notifier.Publish(new LeaderboardChange(competitionId, taskId, changed.TeamId));
            await service.GetAsync(taskId, LeaderboardKind.Public);
            if (record)
            {
                Add("LeaderboardService refresh after one team's change", watch.Elapsed.TotalMilliseconds);
            }

            await using var db = await factory.CreateDbContextAsync();
            watch.Restart();
            var teams = await db.Teams.AsNoTracking().Where(t => t.CompetitionId == competitionId && t.DisqualifiedAtUtc == null)
                .Select(t => new { t.Id, t.Name, t.IsBaseline }).ToDictionaryAsync(t => t.Id);
            Stage("  teams", record);
            await db.TeamMembers.AsNoTracking().Where(m => m.CompetitionId == competitionId)
                .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => new { m.TeamId, u.DisplayName, m.JoinedAtUtc }).ToListAsync();
            Stage("  members joined with users", record);
            var visibleQuery = db.Submissions.AsNoTracking().Where(s => s.TaskId == taskId && !s.IsHidden)
                .Select(s => new { s.TeamId, s.Id, s.Status, s.PublicScore, s.PrivateScore, s.PublicLower, s.PublicUpper, s.CreatedAtUtc, s.IsSelected });
            visibleSql ??= visibleQuery.ToQueryString();
            var visible = await visibleQuery.ToListAsync();
            Stage($"  visible submissions ({visible.Count:N0} rows, one read)", record);
            var teamQuery = db.Submissions.AsNoTracking().Where(s => s.TaskId == taskId && !s.IsHidden && s.TeamId == changed.TeamId)
                .Select(s => new { s.TeamId, s.Id, s.Status, s.PublicScore, s.PrivateScore, s.PublicLower, s.PublicUpper, s.CreatedAtUtc, s.IsSelected });
            teamSql ??= teamQuery.ToQueryString();
            await teamQuery.ToListAsync();
            Stage("  one team's visible submissions (refresh)", record);
            var scoredQuery = db.Submissions.AsNoTracking()
                .Where(s => s.TaskId == taskId && s.Status == SubmissionStatus.Scored && !s.IsHidden)
                .Select(s => new { s.Id, s.TeamId, s.PublicScore, s.PrivateScore, s.PublicLower, s.PublicUpper, s.CreatedAtUtc, s.IsSelected });
            submissionsSql ??= scoredQuery.ToQueryString();
            var scored = await scoredQuery.ToListAsync();
            Stage($"  before: scored submissions ({scored.Count:N0} rows)", record);
            var lastQuery = db.Submissions.AsNoTracking().Where(s => s.TaskId == taskId && !s.IsHidden)
                .GroupBy(s => s.TeamId).Select(g => new { TeamId = g.Key, Last = g.Max(s => s.CreatedAtUtc) });
            lastSql ??= lastQuery.ToQueryString();
            await lastQuery.ToDictionaryAsync(g => g.TeamId, g => g.Last);
            Stage("  before: last submission per team (GROUP BY)", record);
            var ranked = scored.GroupBy(s => s.TeamId).Select(g => g.OrderByDescending(s => s.PublicScore).ThenBy(s => s.CreatedAtUtc).First())
                .OrderByDescending(s => s.PublicScore).ToList();
            Stage("  best per team and ranking, in memory (approx.)", record);

            // What the HTML page adds on every render, uncached.
            var top = board.Rows.Where(r => r.Score is not null).Take(5).Select(r => r.TeamId).ToList();
            await service.ProgressionAsync(taskId, top);
            Stage("page: ProgressionAsync (top 5, uncached)", record);
            var perDayQuery = db.Submissions.AsNoTracking().Where(s => s.TaskId == taskId && !s.IsBaseline)
                .GroupBy(s => s.QuotaDay).OrderBy(g => g.Key).Select(g => new { g.Key, Count = g.Count() });
            perDaySql ??= perDayQuery.ToQueryString();
            await service.SubmissionsPerDayAsync(taskId);
            Stage("page: SubmissionsPerDayAsync (cached up to 30 s)", record);
            _ = teams.Count + ranked.Count;

            void Stage(string name, bool keep)
            {
                if (keep)
                {
                    Add(name, watch.Elapsed.TotalMilliseconds);
                }
                watch.Restart();
            }
        }

        Table.Print("Board build in-process (same database, 5 runs after one warm-up; stages re-run the queries)", Table.SummaryHeader,
            stages.Select(pair => Table.SummaryRow(pair.Key, Summary.Of(pair.Value))).ToList());

        Console.WriteLine();
        Console.WriteLine("Query plans:");
        await using (var connection = new SqliteConnection(connectionString))
        {
            await connection.OpenAsync();
            foreach (var (name, sql) in new[] { ("visible submissions", visibleSql!), ("one team's submissions", teamSql!), ("before: scored submissions", submissionsSql!), ("before: last submission per team", lastSql!), ("submissions per day", perDaySql!) })
            {
                await using var explain = connection.CreateCommand();
                // ToQueryString prints parameters as .param set lines before the statement.
                var statement = string.Join('\n', sql.Split('\n').Where(l => !l.StartsWith(".param", StringComparison.Ordinal)));
                explain.CommandText = "EXPLAIN QUERY PLAN " + statement;
                foreach (var line in sql.Split('\n').Where(l => l.StartsWith(".param set ", StringComparison.Ordinal)))
                {
                    var parts = line.Split(' ', 4);
                    explain.Parameters.AddWithValue(parts[2], parts[3].Trim().Trim('\''));
                }
                await using var reader = await explain.ExecuteReaderAsync();
                var plan = new List<string>();
                while (await reader.ReadAsync())
                {
                    plan.Add(reader.GetString(3));
                }
                Console.WriteLine($"  {name}: {string.Join(" | ", plan)}");
            }
        }
        SqliteConnection.ClearAllPools();
    }
}

// The bench reads the public board only: the private board's rule refuses everyone here.
file sealed class NoPrivateBoards : Microsoft.AspNetCore.Authorization.IAuthorizationService
{
    public Task<Microsoft.AspNetCore.Authorization.AuthorizationResult> AuthorizeAsync(System.Security.Claims.ClaimsPrincipal user, object? resource, IEnumerable<Microsoft.AspNetCore.Authorization.IAuthorizationRequirement> requirements) =>
        Task.FromResult(Microsoft.AspNetCore.Authorization.AuthorizationResult.Failed());

    public Task<Microsoft.AspNetCore.Authorization.AuthorizationResult> AuthorizeAsync(System.Security.Claims.ClaimsPrincipal user, object? resource, string policyName) =>
        Task.FromResult(Microsoft.AspNetCore.Authorization.AuthorizationResult.Failed());
}
