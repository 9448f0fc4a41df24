using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Challenge.Web.Bench;

internal sealed record LiveOptions(IReadOnlyList<int> Viewers, int Scores, int Burst, int BurstAt, int Rows, int Teams, int HistoryTeams, int History);

// Live leaderboard viewers at final-day scale: N browserless viewers hold the leaderboard page open
// (each a real Blazor Server circuit, see CircuitClient) while scores land through the API. For each
// score, each viewer's time from the upload's 202 to the first render batch that carries the new
// score; the server's working set with N viewers open; and the server CPU from the upload until
// every viewer had the score. Then a burst: Burst teams upload within one second at BurstAt viewers,
// timed from the last 202 until each viewer has every one of the burst's scores.
// Each upload is right on the first k of the solution's rows, k rising by Step, so each score is
// its team's best and differs from the others; its public score (read from the status API once
// scored) is the text looked for, as the board shows it ("0.00000").
internal static class LiveScenario
{
    private const int Step = 20;

    public static async Task<int> RunAsync(string serverDll, string dataDirectory, LiveOptions options)
    {
        var setup = Stopwatch.StartNew();
        Participant[] teams;
        await using (var world = await BenchWorld.CreateAsync(dataDirectory, options.Rows, DateTime.UtcNow.AddDays(-3)))
        {
            if (options.History > 0)
            {
                // A board and charts of final-day size: more teams, and their history over the last
                // days. Added before the uploading teams, which thus have none: each of their new
                // scores is their best and shows on the board.
                await world.AddHistoryAsync(options.HistoryTeams, options.History, DateTime.UtcNow.AddDays(-3));
            }
            for (var i = 0; i < options.Teams; i++)
            {
                await world.AddParticipantAsync($"live{i:D3}");
            }
            teams = [.. world.Participants];
        }
        Console.WriteLine($"Setup: challenge, {options.Rows:N0}-row solution, {teams.Length} teams with a token each, {options.HistoryTeams} more teams and {options.History:N0} scored submissions of history, in {setup.Elapsed.TotalSeconds:0.0} s.");

        await using var server = await ServerProcess.StartAsync(serverDll, dataDirectory, Path.Combine(dataDirectory, "server.log"));
        Console.WriteLine($"Server: {server.Address} (pid {server.ProcessId}).");
        using var api = new BenchClient(server.Address);
        using var pages = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 64 }) { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(120) };
        var right = options.Rows / 3;
        var next = 0;
        var errors = new List<string>();

        // Some history first, so the board has rows and both charts have data.
        for (var i = 0; i < Math.Min(5, teams.Length); i++)
        {
            var (id, _, _) = await UploadAsync(teams[next++ % teams.Length], right += Step);
            if (id == 0)
            {
                errors.Add("a warm-up upload was refused");
            }
        }
        await Task.Delay(2000);

        var viewers = new List<CircuitClient>();
        using var stop = new CancellationTokenSource();
        var pinging = PingAsync(viewers, stop.Token);
        var rows = new List<IReadOnlyList<string>>();
        string? burstRow = null;
        try
        {
            foreach (var n in options.Viewers)
            {
                var opening = Stopwatch.StartNew();
                var toOpen = n - viewers.Count;
                var opened = await OpenViewersAsync(pages, server.Address, toOpen, errors);
                lock (viewers)
                {
                    viewers.AddRange(opened);
                }
                Console.WriteLine($"{viewers.Count} viewers open ({opened.Count} new in {opening.Elapsed.TotalSeconds:0.0} s)");
                await Task.Delay(3000);
                var memory = server.WorkingSetBytes();

                var latencies = new List<double>();
                var batchesBefore = viewers.Sum(v => (long)v.BatchCount);
                var bytesBefore = viewers.Sum(v => v.BatchBytes);
                var cpuPerScore = new List<double>();
                var wholeCpuPerScore = new List<double>();
                var cycleSeconds = new List<double>();
                var missing = 0;
                for (var s = 0; s < options.Scores; s++)
                {
                    var cpuBefore = server.CpuTime();
                    var cycle = Stopwatch.StartNew();
                    var (id, accepted, text) = await UploadAsync(teams[next++ % teams.Length], right += Step);
                    if (id == 0)
                    {
                        errors.Add($"an upload at {n} viewers was refused");
                        continue;
                    }
                    var seen = await WaitForAllAsync(viewers, [text], accepted, TimeSpan.FromSeconds(60));
                    cpuPerScore.Add((server.CpuTime() - cpuBefore).TotalSeconds);
                    latencies.AddRange(seen.Where(t => t is not null).Select(t => Math.Max(0, Stopwatch.GetElapsedTime(accepted, t!.Value).TotalMilliseconds)));
                    missing += seen.Count(t => t is null);
                    viewers.ForEach(v => v.Forget(Stopwatch.GetTimestamp()));
                    // The work a score starts goes on after every viewer has it (rank intervals, a
                    // second draw once they are ready, the charts a few seconds later): the whole
                    // cost is taken up to 4 s after the upload, less the idle pages' own.
                    await Task.Delay(TimeSpan.FromSeconds(Math.Max(1.5, 4 - cycle.Elapsed.TotalSeconds)));
                    wholeCpuPerScore.Add((server.CpuTime() - cpuBefore).TotalSeconds);
                    cycleSeconds.Add(cycle.Elapsed.TotalSeconds);
                }
                // What the open pages cost with nothing landing (keep-alives, timers), measured once
                // the level's scores have settled, is taken off each score's whole cost.
                var idleCpuBefore = server.CpuTime();
                var idleClock = Stopwatch.StartNew();
                await Task.Delay(4000);
                var idleCpuPerSecond = (server.CpuTime() - idleCpuBefore).TotalSeconds / idleClock.Elapsed.TotalSeconds;
                var batches = viewers.Sum(v => (long)v.BatchCount) - batchesBefore;
                var batchBytes = viewers.Sum(v => v.BatchBytes) - bytesBefore;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{n} viewers: {(double)batches / viewers.Count / Math.Max(1, options.Scores):0.00} render batches per viewer per score, {(double)batchBytes / Math.Max(1, batches):0} bytes each"));
                for (var i = 0; i < wholeCpuPerScore.Count; i++)
                {
                    wholeCpuPerScore[i] -= idleCpuPerSecond * cycleSeconds[i];
                }
                var summary = Summary.Of(latencies);
                var closed = viewers.Count(v => v.Closed);
                rows.Add([n.ToString(CultureInfo.InvariantCulture), $"{memory / (1024.0 * 1024):0} MB",
                    $"{Seconds(summary.Median)} / {Seconds(summary.P95)} / {Seconds(summary.Max)} s",
                    $"{cpuPerScore.DefaultIfEmpty(double.NaN).Average():0.00} s",
                    $"{wholeCpuPerScore.DefaultIfEmpty(double.NaN).Average():0.00} s ({idleCpuPerSecond:0.00} s/s idle)",
                    $"{missing} not seen in 60 s, {closed} closed"]);
                Console.WriteLine(string.Join("  ", rows[^1]));

                if (n == options.BurstAt && options.Burst > 0)
                {
                    burstRow = await BurstAsync(n);
                    Console.WriteLine(burstRow);
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            await pinging;
            await Task.WhenAll(viewers.Select(v => v.DisposeAsync().AsTask()));
        }

        Console.WriteLine();
        Console.WriteLine($"live: {options.Scores} scores per level, one at a time, {options.Rows:N0}-row files; {Environment.ProcessorCount} cores shared with the bench client (and, here, other users); load average {Table.LoadAverage()}");
        Table.Print("Leaderboard page viewers (Blazor Server circuits) while scores land",
            ["viewers", "server memory", "202 -> viewer sees the score: median / p95 / max", "server CPU per score", "whole cost of a score", "delivery"], rows);
        if (burstRow is not null)
        {
            Console.WriteLine();
            Console.WriteLine(burstRow);
        }
        foreach (var error in errors.Take(10))
        {
            Console.WriteLine("error: " + error);
        }
        return errors.Count == 0 ? 0 : 1;

        async Task<string> BurstAsync(int n)
        {
            var cpuBefore = server.CpuTime();
            var start = Stopwatch.GetTimestamp();
            var uploads = Enumerable.Range(0, options.Burst).Select(async i =>
            {
                await Task.Delay(TimeSpan.FromMilliseconds(1000.0 * i / options.Burst));
                return await UploadAsync(teams[(next + i) % teams.Length], right + Step * (i + 1));
            }).ToList();
            var results = await Task.WhenAll(uploads);
            next += options.Burst;
            right += Step * options.Burst;
            var lastAccepted = results.Max(r => r.Accepted);
            var seen = await WaitForAllAsync(viewers, [.. results.Where(r => r.Id != 0).Select(r => r.Text)], start, TimeSpan.FromSeconds(60));
            var cpu = (server.CpuTime() - cpuBefore).TotalSeconds;
            var done = seen.Where(t => t is not null).Select(t => Math.Max(0, Stopwatch.GetElapsedTime(lastAccepted, t!.Value).TotalMilliseconds)).ToList();
            var summary = Summary.Of(done);
            viewers.ForEach(v => v.Forget(Stopwatch.GetTimestamp()));
            return string.Create(CultureInfo.InvariantCulture,
                $"burst: {options.Burst} scores within {Stopwatch.GetElapsedTime(start, lastAccepted).TotalSeconds:0.0} s at {n} viewers: last 202 -> viewer has all {options.Burst}: median {Seconds(summary.Median)} / p95 {Seconds(summary.P95)} / max {Seconds(summary.Max)} s; {seen.Count(t => t is null)} viewers incomplete after 60 s; server CPU {cpu:0.0} s");
        }

        async Task<(long Id, long Accepted, byte[] Text)> UploadAsync(Participant team, int correct)
        {
            var csv = new StringBuilder("Id,Category\n", options.Rows * 16);
            for (var row = 0; row < options.Rows; row++)
            {
                csv.Append(row).Append(',').Append(row < correct ? BenchWorld.Truth(row) : BenchWorld.WrongFor(row)).Append('\n');
            }
            var result = await api.SubmitAsync(team.Token, Encoding.UTF8.GetBytes(csv.ToString()), "live.csv");
            var accepted = Stopwatch.GetTimestamp();
            if (result.Id == 0)
            {
                errors.Add($"HTTP {(int)result.Status} {result.Problem}");
                return (0, accepted, []);
            }
            var waited = Stopwatch.StartNew();
            SubmissionState state;
            do
            {
                await Task.Delay(10);
                state = await api.StatusAsync(team.Token, result.Id);
            }
            while (state.Status is "queued" or "scoring" && waited.Elapsed < TimeSpan.FromSeconds(120));
            if (state.PublicScore is not { } score)
            {
                errors.Add($"submission {result.Id} ended {state.Status}");
                return (0, accepted, []);
            }
            return (result.Id, accepted, Encoding.UTF8.GetBytes(score.ToString("0.00000", CultureInfo.InvariantCulture)));
        }
    }

    private static string Seconds(double ms) => double.IsNaN(ms) ? "-" : (ms / 1000).ToString("0.00", CultureInfo.InvariantCulture);

    // Per viewer, when it had seen every one of the texts (the latest of their first sightings).
    private static async Task<List<long?>> WaitForAllAsync(List<CircuitClient> viewers, byte[][] texts, long since, TimeSpan timeout)
    {
        var waited = Stopwatch.StartNew();
        var result = new long?[viewers.Count];
        while (true)
        {
            var pending = 0;
            for (var i = 0; i < viewers.Count; i++)
            {
                if (result[i] is not null)
                {
                    continue;
                }
                long latest = 0;
                foreach (var text in texts)
                {
                    if (viewers[i].FirstSeen(text, since) is not { } at)
                    {
                        latest = -1;
                        break;
                    }
                    latest = Math.Max(latest, at);
                }
                if (latest > 0)
                {
                    result[i] = latest;
                }
                else
                {
                    pending++;
                }
            }
            if (pending == 0 || waited.Elapsed > timeout)
            {
                return [.. result];
            }
            await Task.Delay(20);
        }
    }

    private static async Task<List<CircuitClient>> OpenViewersAsync(HttpClient pages, Uri server, int count, List<string> errors)
    {
        var opened = new List<CircuitClient>();
        var gate = new SemaphoreSlim(16);
        await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
        {
            await gate.WaitAsync();
            try
            {
                var viewer = await CircuitClient.OpenAsync(pages, server, BenchClient.LeaderboardPagePath, CancellationToken.None);
                lock (opened)
                {
                    opened.Add(viewer);
                }
            }
            catch (Exception exception)
            {
                lock (errors)
                {
                    errors.Add($"opening a viewer: {exception.GetType().Name} {exception.Message}");
                }
            }
            finally
            {
                gate.Release();
            }
        }));
        return opened;
    }

    private static async Task PingAsync(List<CircuitClient> viewers, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            CircuitClient[] all;
            lock (viewers)
            {
                all = [.. viewers];
            }
            await Task.WhenAll(all.Select(v => v.PingAsync()));
        }
    }
}
