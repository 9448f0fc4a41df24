// End-to-end benchmarks of the web app, run as a separate process on a loopback port against a
// fresh data folder (SQLite) that each scenario builds through the real services.
//
//   dotnet run -c Release --project bench/Challenge.Web.Bench -- latency
//       [--uploaders 20] [--rounds 10] [--rows 20000] [--board-poll-ms 10] [--status-poll-ms 0]
//       [--server-cpus N] [--log-sql] [--warmup-seconds 60] [--train]
//     Upload-to-leaderboard latency with concurrent uploaders (one team and token each). One
//     watcher reads the JSON board every --board-poll-ms; each uploader waits for its new score
//     there, or with --status-poll-ms N > 0 polls its submission's status every N ms instead and
//     then reads the board once. The server's own timestamps split the time into stages.
//     --server-cpus N starts the server with DOTNET_PROCESSOR_COUNT=N (the server sizes
//     its scoring workers from it); --log-sql writes every EF command with its duration to the server
//     log. Before the measured rounds, other teams upload for --warmup-seconds (0: none) so the
//     server has compiled its hot paths as a server that has been running would have; the
//     first and last 10 s of that phase are printed too. --train queues a CNN baseline run before the
//     server starts, which the server's embedded worker trains through the whole measurement. Goal: median under 300 ms, p99 under
//     1 s with 20 uploaders and 20,000-row files.
//
//   dotnet run -c Release --project bench/Challenge.Web.Bench -- leaderboard
//       [--teams 5000] [--submissions 200000] [--requests 200] [--html-requests 100] [--invalidations 5] [--readers 8]
//     JSON and HTML leaderboard reads with a large history: cold, right after a score, warm; a
//     probe where a score lands while a rebuild runs; then the build timed stage by stage
//     in-process with the query plans. Goal: under 100 ms.
//
//   dotnet run -c Release --project bench/Challenge.Web.Bench -- load
//       [--clients 50] [--duration 60] [--rows 20000] [--nodes 1] [--drain 120]
//       [--provider Sqlite|Postgres --connection "Host=...;Database=...;Username=...;Password=..."]
//     Many participants at once: each client uploads, polls the status until scored, reads the
//     JSON board and every fifth time the board page, for --duration seconds, against --nodes
//     server processes sharing the data folder and the database. Prints submissions/s accepted
//     and scored, p50/p95/p99 of upload and board reads, refusals and errors, then checks through
//     the API and the database that every accepted upload exists exactly once and ended as meant.
//
//   dotnet run -c Release --project bench/Challenge.Web.Bench -- live
//       [--viewers 100,500,1000,2000] [--scores 3] [--burst 20] [--burst-at 1000] [--rows 4000] [--teams 30]
//       [--history-teams 0] [--history 0]
//     N browserless leaderboard viewers, each a real Blazor Server circuit over the hub's WebSocket,
//     opened level by level; per level, scores land one at a time through the API and each viewer's
//     time from the upload's 202 to the render batch with the new score is taken, with the server's
//     memory and its CPU per score; at --burst-at viewers, --burst scores land within one second.
//     Goals: 2,000 viewers with p95 under 1 s, CPU per score under 0.5 s, memory under 2 GB; the
//     burst fully delivered within 3 s at 1,000 viewers.
//
// Common options: --build rebuilds src/Challenge.Web in Release first (otherwise an existing
// Release build is used, and built only when missing); --keep leaves the data folder (server log,
// and samples.csv for latency) in place. The exit code is 1 when any submission failed, never
// reached the board, or the board stayed stale.

using System.Globalization;
using Challenge.Web.Bench;

var scenario = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal));
if (scenario is not ("latency" or "leaderboard" or "load" or "live"))
{
    Console.Error.WriteLine("usage: Challenge.Web.Bench latency|leaderboard|load|live [options]; see the comment at the top of Program.cs");
    return 2;
}

var repository = ServerProcess.RepositoryRoot();
var dll = await ServerProcess.EnsureBuiltAsync(repository, Flag("--build"));
var dataDirectory = Path.Combine(Path.GetTempPath(), "challenge-web-bench", $"{scenario}-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid():N}"[..48]);
Directory.CreateDirectory(dataDirectory);
Console.WriteLine($"Challenge.Web.Bench {scenario}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; {Environment.ProcessorCount} cores; .NET {Environment.Version}; data folder {dataDirectory}");

int code;
try
{
    code = scenario == "live"
        ? await LiveScenario.RunAsync(dll, dataDirectory, new LiveOptions(
            Viewers: (Text("--viewers") ?? "100,500,1000,2000").Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToList(),
            Scores: Option("--scores", 3, 1, 100),
            Burst: Option("--burst", 20, 0, 100),
            BurstAt: Option("--burst-at", 1000, 0, 100_000),
            Rows: Option("--rows", 4_000, 1_000, 100_000),
            Teams: Option("--teams", 30, 1, 1_000),
            HistoryTeams: Option("--history-teams", 0, 0, 100_000),
            History: Option("--history", 0, 0, 5_000_000)))
        : scenario == "load"
        ? await LoadScenario.RunAsync(dll, dataDirectory, new LoadScenarioOptions(
            Clients: Option("--clients", 50, 1, 1_000),
            DurationSeconds: Option("--duration", 60, 1, 3_600),
            Nodes: Option("--nodes", 1, 1, 16),
            Rows: Option("--rows", 20_000, 100, 2_000_000),
            Provider: Text("--provider") ?? "Sqlite",
            Connection: Text("--connection"),
            DrainSeconds: Option("--drain", 120, 1, 3_600)))
        : scenario == "latency"
        ? await LatencyScenario.RunAsync(dll, dataDirectory, new LatencyOptions(
            Uploaders: Option("--uploaders", 20, 1, 100),
            Rounds: Option("--rounds", 10, 1, LatencyScenario.MaxRounds),
            Rows: Option("--rows", 20_000, 100, 2_000_000),
            BoardPollMs: Option("--board-poll-ms", 10, 1, 1_000),
            StatusPollMs: Option("--status-poll-ms", 0, 0, 5_000),
            ServerCpus: Option("--server-cpus", 0, 0, 256),
            LogSql: Flag("--log-sql"),
            WarmupSeconds: Option("--warmup-seconds", 60, 0, 600),
            Train: Flag("--train")))
        : await LeaderboardScenario.RunAsync(dll, dataDirectory, new LeaderboardOptions(
            Teams: Option("--teams", 5_000, 1, 100_000),
            Submissions: Option("--submissions", 200_000, 1, 5_000_000),
            Requests: Option("--requests", 200, 1, 100_000),
            HtmlRequests: Option("--html-requests", 100, 1, 10_000),
            Invalidations: Option("--invalidations", 5, 1, 12),
            Readers: Option("--readers", 8, 1, 256)));
}
finally
{
    if (Flag("--keep"))
    {
        Console.WriteLine($"Kept {dataDirectory}");
    }
    else
    {
        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is harmless.
        }
    }
}
return code;

bool Flag(string name) => args.Contains(name, StringComparer.Ordinal);

string? Text(string name) => Array.IndexOf(args, name) is var index and >= 0 && index + 1 < args.Length ? args[index + 1] : null;

int Option(string name, int fallback, int min, int max)
{
    var index = Array.IndexOf(args, name);
    if (index < 0)
    {
        return fallback;
    }
    if (index + 1 >= args.Length || !int.TryParse(args[index + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
    {
        throw new ArgumentException($"{name} takes a whole number from {min} to {max}.");
    }
    return value;
}
