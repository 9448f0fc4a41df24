using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Challenge.Web.Bench;

internal sealed record LatencyOptions(int Uploaders, int Rounds, int Rows, int BoardPollMs, int StatusPollMs, int ServerCpus, bool LogSql, int WarmupSeconds, bool Train = false);

// Upload-to-leaderboard latency: every uploader is one team with its own token, submitting a
// full-size prediction file, waiting until it shows on the board, then submitting the next.
internal static class LatencyScenario
{
    // The upload limit is 30 a minute per user; the warm-up round counts too.
    public const int MaxRounds = 28;

    // Warm-up teams take turns so that none passes the upload limit of 30 a minute.
    private const int WarmupUploadsPerTeam = 28;
    private const int WarmupTeamsPerUploaderMinute = 6;

    private sealed record Sample(
        int Uploader,
        int Round,
        long SubmissionId,
        DateTime StartedUtc,
        double AcceptMs,
        double StatusMs,
        double BoardSeenMs,
        double StatusThenBoardMs,
        bool BoardHadItAtStatus,
        double Score);

    public static async Task<int> RunAsync(string serverDll, string dataDirectory, LatencyOptions options)
    {
        var startsAt = DateTime.UtcNow.AddDays(-1);
        var setup = Stopwatch.StartNew();
        Participant[] participants;
        long? trainingRun = null;
        Participant[] warmupParticipants;
        await using (var world = await BenchWorld.CreateAsync(dataDirectory, options.Rows, startsAt))
        {
            for (var i = 0; i < options.Uploaders; i++)
            {
                await world.AddParticipantAsync($"uploader{i:D2}");
            }
            var warmupTeams = options.WarmupSeconds == 0 ? 0 : options.Uploaders * (int)Math.Ceiling(options.WarmupSeconds / 60.0 * WarmupTeamsPerUploaderMinute);
            for (var i = 0; i < warmupTeams; i++)
            {
                await world.AddParticipantAsync($"warmup{i:D3}");
            }
            if (options.Train)
            {
                trainingRun = await world.QueueTrainingAsync(images: 20_000, epochs: 200);
            }
            participants = [.. world.Participants.Take(options.Uploaders)];
            warmupParticipants = [.. world.Participants.Skip(options.Uploaders)];
        }
        Console.WriteLine($"Setup: challenge, {options.Rows:N0}-row solution, {options.Uploaders} users and {warmupParticipants.Length} warm-up users with a team and a token each, in {setup.Elapsed.TotalSeconds:0.0} s.");

        // Every file is built before the clock starts. A row is right when its draw falls under the
        // round's bar, and the bar rises each round, so each file is right on a superset of the rows
        // its predecessor got right: every new score is the team's best and must reach the board.
        var files = new byte[options.Uploaders][][];
        for (var u = 0; u < options.Uploaders; u++)
        {
            files[u] = new byte[options.Rounds + 1][];
            for (var r = 0; r <= options.Rounds; r++)
            {
                files[u][r] = SubmissionCsv(options.Rows, u, 0.15 + 0.75 * (r + 1) / (options.Rounds + 2) + 0.001 * u);
            }
        }

        await using var server = await ServerProcess.StartAsync(serverDll, dataDirectory, Path.Combine(dataDirectory, "server.log"), options.ServerCpus, options.LogSql);
        Console.WriteLine($"Server: {server.Address} (pid {server.ProcessId}).");
        using var client = new BenchClient(server.Address);

        using var stop = new CancellationTokenSource();
        var board = new BoardWatcher(client, options.BoardPollMs);
        var watching = board.RunAsync(stop.Token);

        var errors = new ConcurrentBag<string>();
        var lastScores = Enumerable.Repeat(double.NegativeInfinity, options.Uploaders).ToArray();
        var warmup = new ConcurrentBag<Sample>();
        var samples = new ConcurrentBag<Sample>();
        // A server that has run for a while has compiled its hot paths to optimised code; a fresh
        // one runs them unoptimised or instrumented for the first minute or so. The warm-up phase
        // brings the server to that steady state, and its figures show what a fresh server gives.
        var warmupPhase = await WarmUpAsync(client, warmupParticipants, options, files, errors);
        // Round 0 runs first on its own: the first upload of each measured team, and the first
        // time each team's row is built.
        await Task.WhenAll(Enumerable.Range(0, options.Uploaders).Select(u => UploadAsync(u, 0, warmup)));

        var serverCpuBefore = server.CpuTime();
        var clientCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var measured = Stopwatch.StartNew();
        var accepts = new ConcurrentBag<double>();
        await Task.WhenAll(Enumerable.Range(0, options.Uploaders).Select(async u =>
        {
            for (var r = 1; r <= options.Rounds; r++)
            {
                await UploadAsync(u, r, samples, accepts, measured);
            }
        }));
        var wall = measured.Elapsed.TotalSeconds;
        var serverCpu = (server.CpuTime() - serverCpuBefore).TotalSeconds;
        var clientCpu = (Process.GetCurrentProcess().TotalProcessorTime - clientCpuBefore).TotalSeconds;
        await stop.CancelAsync();
        await watching;
        var load = Table.LoadAverage();
        await server.DisposeAsync();
        if (trainingRun is { } run)
        {
            // The run must have been training through the measured rounds, or the figures say nothing.
            await using var connection = new SqliteConnection($"Data Source={Path.Combine(dataDirectory, "challenge.db")};Mode=ReadOnly");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT Status, Epoch, EpochCount, ExamplesPerSecond, StartedAtUtc FROM BaselineRuns WHERE Id = $id";
            command.Parameters.AddWithValue("$id", run);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            Console.WriteLine($"Training run {run} (embedded worker, cnn on 20,000 images): status {reader.GetValue(0)}, epoch {reader.GetValue(1)} of {reader.GetValue(2)}, {reader.GetValue(3)} examples/s, started {reader.GetValue(4)} UTC; the measured rounds ran {DateTime.UtcNow.AddSeconds(-wall):HH:mm:ss}-{DateTime.UtcNow:HH:mm:ss} UTC.");
        }

        var list = samples.OrderBy(s => s.StartedUtc).ToList();
        var breakdown = ServerBreakdown(dataDirectory, list);
        await File.WriteAllLinesAsync(Path.Combine(dataDirectory, "samples.csv"), list.Select(s => string.Create(CultureInfo.InvariantCulture,
                $"{s.Uploader},{s.Round},{s.SubmissionId},{s.StartedUtc:O},{s.AcceptMs:0.0},{s.StatusMs:0.0},{s.BoardSeenMs:0.0},{s.Score}"))
            .Prepend("uploader,round,submission,started_utc,accept_ms,status_ms,board_ms,score"));
        Print(options, warmupPhase, warmup.ToList(), list, breakdown, errors.ToList(), accepts.ToList(), wall, serverCpu, clientCpu, board, load);
        return errors.IsEmpty ? 0 : 1;

        // A call that fails or times out is recorded as an error of that round; the uploader goes on.
        async Task UploadAsync(int u, int round, ConcurrentBag<Sample> into, ConcurrentBag<double>? acceptedAt = null, Stopwatch? clock = null)
        {
            try
            {
                await UploadOnceAsync(u, round, into, acceptedAt, clock);
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                errors.Add($"{participants[u].TeamName} round {round}: {exception.GetType().Name} {exception.Message} at {DateTime.UtcNow:HH:mm:ss.fff} UTC");
            }
        }

        async Task UploadOnceAsync(int u, int round, ConcurrentBag<Sample> into, ConcurrentBag<double>? acceptedAt, Stopwatch? clock)
        {
            var participant = participants[u];
            var startedUtc = DateTime.UtcNow;
            var start = Stopwatch.GetTimestamp();
            var accepted = await client.SubmitAsync(participant.Token, files[u][round], $"round{round:D2}.csv");
            var acceptMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (accepted.Id == 0)
            {
                errors.Add($"{participant.TeamName} round {round}: HTTP {(int)accepted.Status} {accepted.Problem}");
                return;
            }
            acceptedAt?.Add(clock!.Elapsed.TotalSeconds);

            double statusMs;
            double statusThenBoardMs = double.NaN;
            var boardHadIt = false;
            long? seen;
            SubmissionState state;
            if (options.StatusPollMs > 0)
            {
                // The script way: poll the status until scored, then read the board once.
                var deadline = Stopwatch.StartNew();
                while (true)
                {
                    state = await client.StatusAsync(participant.Token, accepted.Id);
                    if (state.Status is not ("queued" or "scoring") || deadline.Elapsed > TimeSpan.FromSeconds(60))
                    {
                        break;
                    }
                    await Task.Delay(options.StatusPollMs);
                }
                statusMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (state.Status != "scored" || state.PublicScore is not { } polled)
                {
                    errors.Add($"{participant.TeamName} round {round}: submission {accepted.Id} ended {state.Status} after {statusMs:0} ms");
                    return;
                }
                var onBoard = await client.LeaderboardAsync();
                statusThenBoardMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                boardHadIt = onBoard.TryGetValue(participant.TeamName, out var shown) && shown == polled;
                seen = await board.WaitForAsync(participant.TeamName, polled, TimeSpan.FromSeconds(30));
            }
            else
            {
                // The board way: wait for the team's next score to appear, then confirm it is this
                // submission's with one status call.
                var next = await board.WaitForNextAsync(participant.TeamName, lastScores[u], start, TimeSpan.FromSeconds(60));
                seen = next?.SeenAt;
                state = await client.StatusAsync(participant.Token, accepted.Id);
                statusMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (next is not null && (state.Status != "scored" || state.PublicScore != next.Value.Score))
                {
                    errors.Add($"{participant.TeamName} round {round}: the board showed {next.Value.Score} but submission {accepted.Id} is {state.Status} with {state.PublicScore}");
                    return;
                }
            }
            if (seen is null || state.PublicScore is not { } score)
            {
                errors.Add($"{participant.TeamName} round {round}: submission {accepted.Id} ({state.Status}) never reached the board");
                return;
            }
            lastScores[u] = score;
            var boardMs = Stopwatch.GetElapsedTime(start, seen.Value).TotalMilliseconds;
            into.Add(new Sample(u, round, accepted.Id, startedUtc, acceptMs, statusMs, boardMs, statusThenBoardMs, boardHadIt, score));
        }
    }

    private sealed record WarmupPhase(int Uploads, int Teams, double Seconds, List<double> FirstScoredMs, List<double> LastScoredMs);

    // As many closed loops as measured uploaders, each going through its own warm-up teams in turn
    // (so no team passes the upload limit), uploading, polling the status until scored and then
    // reading the board once, until the time is up or the teams' uploads are spent.
    private static async Task<WarmupPhase> WarmUpAsync(BenchClient client, Participant[] teams, LatencyOptions options, byte[][][] files, ConcurrentBag<string> errors)
    {
        if (teams.Length == 0)
        {
            return new WarmupPhase(0, 0, 0, [], []);
        }
        var clock = Stopwatch.StartNew();
        var until = TimeSpan.FromSeconds(options.WarmupSeconds);
        var done = new ConcurrentBag<(double At, double ScoredMs)>();
        await Task.WhenAll(Enumerable.Range(0, options.Uploaders).Select(async loop =>
        {
            var mine = teams.Where((_, i) => i % options.Uploaders == loop).ToArray();
            var uploads = 0;
            while (clock.Elapsed < until && uploads < mine.Length * WarmupUploadsPerTeam)
            {
                var team = mine[uploads % mine.Length];
                var start = Stopwatch.GetTimestamp();
                try
                {
                    var accepted = await client.SubmitAsync(team.Token, files[loop][uploads % files[loop].Length], "warmup.csv");
                    if (accepted.Id == 0)
                    {
                        errors.Add($"warm-up {team.TeamName}: HTTP {(int)accepted.Status} {accepted.Problem}");
                        return;
                    }
                    while ((await client.StatusAsync(team.Token, accepted.Id)).Status is "queued" or "scoring")
                    {
                        await Task.Delay(10);
                    }
                    var scoredMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    await client.LeaderboardAsync();
                    done.Add((clock.Elapsed.TotalSeconds, scoredMs));
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                    errors.Add($"warm-up {team.TeamName}: {exception.GetType().Name} {exception.Message}");
                    return;
                }
                uploads++;
            }
        }));
        var seconds = clock.Elapsed.TotalSeconds;
        var all = done.ToList();
        return new WarmupPhase(all.Count, teams.Length, seconds,
            [.. all.Where(d => d.At <= 10).Select(d => d.ScoredMs)],
            [.. all.Where(d => d.At > seconds - 10).Select(d => d.ScoredMs)]);
    }

    public static byte[] SubmissionCsv(int rows, int uploader, double bar)
    {
        var csv = new StringBuilder("Id,Category\n", rows * 16);
        for (var row = 0; row < rows; row++)
        {
            csv.Append(row).Append(',').Append(Draw(row, uploader) < bar ? BenchWorld.Truth(row) : BenchWorld.WrongFor(row)).Append('\n');
        }
        return Encoding.UTF8.GetBytes(csv.ToString());
    }

    // A fixed pseudo-random number in [0, 1) per row and team (SplitMix64 finaliser).
    private static double Draw(int row, int uploader)
    {
        var z = (ulong)row * 0x9E3779B97F4A7C15UL + (ulong)uploader * 0xBF58476D1CE4E5B9UL + 0x94D049BB133111EBUL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }

    private sealed record Stages(List<double> ClientToRow, List<double> RowToAccepted, List<double> RowToPickup, List<double> Scoring, List<double> PickupToScored, List<double> ClientToScored, List<double> ScoredToBoard, int Retried);

    // Where the time went, from the server's own timestamps (same clock as the client: one machine).
    private static Stages ServerBreakdown(string dataDirectory, List<Sample> samples)
    {
        var byId = samples.ToDictionary(s => s.SubmissionId);
        var stages = new Stages([], [], [], [], [], [], [], 0);
        var retried = 0;
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(dataDirectory, "challenge.db"), Mode = SqliteOpenMode.ReadOnly }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """SELECT "Id", "CreatedAtUtc", "ScoringStartedAtUtc", "ScoredAtUtc", "ScoringMilliseconds", "ScoringAttempts" FROM "Submissions" """;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (!byId.TryGetValue(reader.GetInt64(0), out var sample) || reader.IsDBNull(2) || reader.IsDBNull(3))
            {
                continue;
            }
            var created = reader.GetDateTime(1);
            var picked = reader.GetDateTime(2);
            var scored = reader.GetDateTime(3);
            stages.ClientToRow.Add((created - sample.StartedUtc).TotalMilliseconds);
            stages.RowToAccepted.Add(sample.AcceptMs - (created - sample.StartedUtc).TotalMilliseconds);
            stages.RowToPickup.Add((picked - created).TotalMilliseconds);
            stages.Scoring.Add(reader.IsDBNull(4) ? double.NaN : reader.GetInt32(4));
            stages.PickupToScored.Add((scored - picked).TotalMilliseconds);
            stages.ClientToScored.Add((scored - sample.StartedUtc).TotalMilliseconds);
            stages.ScoredToBoard.Add(sample.BoardSeenMs - (scored - sample.StartedUtc).TotalMilliseconds);
            retried += reader.GetInt32(5) > 1 ? 1 : 0;
        }
        SqliteConnection.ClearAllPools();
        return stages with { Retried = retried };
    }

    private static void Print(LatencyOptions options, WarmupPhase warmupPhase, List<Sample> warmup, List<Sample> samples, Stages stages, List<string> errors,
        List<double> acceptedAt, double wall, double serverCpu, double clientCpu, BoardWatcher board, string load)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine();
        var waiting = options.StatusPollMs > 0
            ? $"each uploader polls its status every {options.StatusPollMs} ms, then reads the board once"
            : "each uploader waits for the watcher to show its new score, then confirms it with one status call";
        if (options.ServerCpus > 0)
        {
            Console.WriteLine($"server started with DOTNET_PROCESSOR_COUNT={options.ServerCpus} (the scoring workers are sized from the processor count)");
        }
        Console.WriteLine($"latency: {options.Uploaders} concurrent uploaders x {options.Rounds} rounds (after 1 warm-up round), {options.Rows:N0}-row CSV " +
            $"({BenchClient.Kb(SubmissionCsv(options.Rows, 0, 0.5).Length)}); one watcher reads the JSON board every {options.BoardPollMs} ms; {waiting}");
        var client = new List<IReadOnlyList<string>>
        {
            Table.SummaryRow("upload -> leaderboard JSON shows the score", Summary.Of(samples.Select(s => s.BoardSeenMs).ToList()), "goal: median < 300, p99 < 1000"),
            Table.SummaryRow("upload -> 202 Accepted", Summary.Of(samples.Select(s => s.AcceptMs).ToList())),
        };
        if (options.StatusPollMs > 0)
        {
            client.Add(Table.SummaryRow("upload -> status API says scored", Summary.Of(samples.Select(s => s.StatusMs).ToList()), $"polled every {options.StatusPollMs} ms"));
            client.Add(Table.SummaryRow("upload -> scored, then one board read", Summary.Of(samples.Select(s => s.StatusThenBoardMs).ToList()),
                $"board already had it: {samples.Count(s => s.BoardHadItAtStatus)}/{samples.Count}"));
        }
        else
        {
            client.Add(Table.SummaryRow("upload -> board, then status confirms", Summary.Of(samples.Select(s => s.StatusMs).ToList()), "one status call"));
        }
        client.Add(Table.SummaryRow("round 0: upload -> board", Summary.Of(warmup.Select(s => s.BoardSeenMs).ToList()), "first upload per measured team"));
        if (warmupPhase.Uploads > 0)
        {
            client.Add(Table.SummaryRow("fresh server, first 10 s: upload -> scored", Summary.Of(warmupPhase.FirstScoredMs), "warm-up phase, status polled every 10 ms"));
            client.Add(Table.SummaryRow("warm-up, last 10 s: upload -> scored", Summary.Of(warmupPhase.LastScoredMs), "warm-up phase, status polled every 10 ms"));
        }
        Table.Print("Client view, from the start of the POST", Table.SummaryHeader, client);
        Table.Print("Server timestamps (database), same submissions", Table.SummaryHeader,
        [
            Table.SummaryRow("POST start -> CreatedAtUtc", Summary.Of(stages.ClientToRow), "auth, challenge/task lookups"),
            Table.SummaryRow("CreatedAtUtc -> 202 received", Summary.Of(stages.RowToAccepted), "file fsync, quota tx, hand-off to the workers"),
            Table.SummaryRow("CreatedAtUtc -> ScoringStartedAtUtc", Summary.Of(stages.RowToPickup), "the above, then a free scoring worker"),
            Table.SummaryRow("scoring (ScoringMilliseconds)", Summary.Of(stages.Scoring), $"read + score {options.Rows:N0} rows"),
            Table.SummaryRow("ScoringStartedAtUtc -> ScoredAtUtc", Summary.Of(stages.PickupToScored), "claim UPDATE, loads, scoring"),
            Table.SummaryRow("POST start -> ScoredAtUtc", Summary.Of(stages.ClientToScored), "saved right after; a status poll sees it"),
            Table.SummaryRow("ScoredAtUtc -> board watcher saw it", Summary.Of(stages.ScoredToBoard), $"save, board refresh; {options.BoardPollMs} ms polling"),
        ]);
        var scored = samples.Count;
        Console.WriteLine();
        if (warmupPhase.Uploads > 0)
        {
            Console.WriteLine(string.Create(inv, $"warm-up: {warmupPhase.Uploads} uploads by {warmupPhase.Teams} other teams over {warmupPhase.Seconds:0.0} s, {options.Uploaders} at a time, before the measured rounds"));
        }
        Console.WriteLine($"submissions: {scored + errors.Count} measured, {scored} scored and seen on the board, {errors.Count} errors, {stages.Retried} needed a retry");
        Console.WriteLine(string.Create(inv, $"throughput: {acceptedAt.Count / wall:0.0} accepted/s, {scored / wall:0.0} scored-and-on-board/s over {wall:0.0} s (closed loop: each uploader waits for its score)"));
        Console.WriteLine(string.Create(inv, $"CPU over the measured rounds: server {serverCpu:0.0} s ({serverCpu / wall:0.00} cores, {1000 * serverCpu / Math.Max(1, scored):0} ms per submission), client {clientCpu:0.0} s; {Environment.ProcessorCount} cores; load average {load}"));
        Console.WriteLine(string.Create(inv, $"board watcher: {board.Reads} reads, JSON read latency under load median {Table.Ms(Summary.Of(board.ReadMs).Median)} ms, p95 {Table.Ms(Summary.Of(board.ReadMs).P95)} ms"));
        foreach (var error in errors.Take(10))
        {
            Console.WriteLine("error: " + error);
        }
    }

    // One reader polling the JSON board, recording when each team's scores first appeared, so the
    // uploaders do not multiply the read load.
    private sealed class BoardWatcher(BenchClient client, int pollMs)
    {
        private readonly Dictionary<string, List<(double Score, long SeenAt)>> _seen = [];
        private readonly List<double> _readMs = [];

        public int Reads
        {
            get
            {
                lock (_readMs)
                {
                    return _readMs.Count;
                }
            }
        }

        public List<double> ReadMs
        {
            get
            {
                lock (_readMs)
                {
                    return [.. _readMs];
                }
            }
        }

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var start = Stopwatch.GetTimestamp();
                try
                {
                    var scores = await client.LeaderboardAsync();
                    var now = Stopwatch.GetTimestamp();
                    lock (_readMs)
                    {
                        _readMs.Add(Stopwatch.GetElapsedTime(start, now).TotalMilliseconds);
                    }
                    lock (_seen)
                    {
                        foreach (var (team, score) in scores)
                        {
                            if (score is not { } value)
                            {
                                continue;
                            }
                            var list = _seen.TryGetValue(team, out var known) ? known : _seen[team] = [];
                            if (list.Count == 0 || list[^1].Score != value)
                            {
                                list.Add((value, now));
                            }
                        }
                    }
                }
                catch (HttpRequestException)
                {
                    // A failed read only delays the next observation.
                }
                try
                {
                    await Task.Delay(pollMs, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }

        // The first score above the team's last one that the board showed after the upload began:
        // scores only rise, so that is this upload's, even when an earlier one was never observed.
        public async Task<(double Score, long SeenAt)?> WaitForNextAsync(string team, double above, long after, TimeSpan timeout)
        {
            var waited = Stopwatch.StartNew();
            while (waited.Elapsed < timeout)
            {
                lock (_seen)
                {
                    if (_seen.TryGetValue(team, out var list) && list.FindIndex(s => s.Score > above && s.SeenAt > after) is var i and >= 0)
                    {
                        return list[i];
                    }
                }
                await Task.Delay(2);
            }
            return null;
        }

        public async Task<long?> WaitForAsync(string team, double score, TimeSpan timeout)
        {
            var waited = Stopwatch.StartNew();
            while (waited.Elapsed < timeout)
            {
                lock (_seen)
                {
                    if (_seen.TryGetValue(team, out var list) && list.FindIndex(s => s.Score == score) is var i and >= 0)
                    {
                        return list[i].SeenAt;
                    }
                }
                await Task.Delay(2);
            }
            return null;
        }
    }
}
