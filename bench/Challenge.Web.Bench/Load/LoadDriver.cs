using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Challenge.Web.Bench.Load;

// One participant of the load: a registered user in a team of their own, holding an API token.
public sealed record LoadClient(string Token, string TeamName);

// What the driver runs: clients spread round-robin over the nodes, each looping upload, status
// polling, board reads until Duration has passed; then every accepted upload is awaited for at
// most DrainTimeout. One upload in RejectEvery is deliberately malformed, so that
// the rejected path is loaded too and the verification knows which end each one must reach.
public sealed record LoadOptions(
    IReadOnlyList<Uri> Nodes,
    IReadOnlyList<LoadClient> Clients,
    string Slug,
    string TaskSlug,
    int Rows,
    IReadOnlyList<string> Classes,
    TimeSpan Duration,
    TimeSpan DrainTimeout,
    int StatusPollMs = 100,
    int PageReadEvery = 5,
    int RejectEvery = 10);

public sealed record Upload(int Client, long Id, bool MeantToBeRejected, double AcceptMs);

public sealed record LoadResult(
    IReadOnlyList<Upload> Accepted,
    IReadOnlyDictionary<long, string> FinalStatus,
    IReadOnlyList<double> UploadMs,
    IReadOnlyList<double> ScoredMs,
    IReadOnlyList<double> BoardJsonMs,
    IReadOnlyList<double> BoardPageMs,
    IReadOnlyDictionary<string, int> Errors,
    IReadOnlyDictionary<string, int> Refusals,
    IReadOnlyList<string> Problems,
    TimeSpan Window,
    TimeSpan UntilLastScored)
{
    public int ServerErrors => Errors.Where(e => e.Key.StartsWith("HTTP 5", StringComparison.Ordinal)).Sum(e => e.Value);

    public int Ended(string status) => FinalStatus.Values.Count(s => s == status);
}

// A load generator over the public REST API only, so it runs against any node of any deployment.
public sealed class LoadDriver(LoadOptions options)
{
    private readonly ConcurrentBag<Upload> _accepted = [];
    private readonly ConcurrentDictionary<long, string> _final = new();
    private readonly ConcurrentBag<double> _uploadMs = [];
    private readonly ConcurrentBag<double> _scoredMs = [];
    private readonly ConcurrentBag<double> _boardJsonMs = [];
    private readonly ConcurrentBag<double> _boardPageMs = [];
    private readonly ConcurrentDictionary<string, int> _errors = new();
    private readonly ConcurrentDictionary<string, int> _refusals = new();
    private readonly ConcurrentBag<string> _problems = [];
    private long _lastScoredTicks;

    public static byte[] PredictionCsv(int rows, IReadOnlyList<string> classes, int seed, bool malformed)
    {
        var random = new Random(seed);
        var csv = new StringBuilder("Id,Category\n", rows * 16);
        // A malformed file misses its last row: the scorer must reject it and name the missing Id.
        var count = malformed ? rows - 1 : rows;
        for (var row = 0; row < count; row++)
        {
            csv.Append(row).Append(',').Append(classes[random.Next(classes.Count)]).Append('\n');
        }
        return Encoding.UTF8.GetBytes(csv.ToString());
    }

    public async Task<LoadResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var handler = new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 1024, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };
        var good = options.Clients.Select((_, i) => PredictionCsv(options.Rows, options.Classes, 1000 + i, malformed: false)).ToArray();
        var bad = PredictionCsv(options.Rows, options.Classes, 7, malformed: true);

        var clock = Stopwatch.StartNew();
        var pending = new ConcurrentBag<(int Client, Upload Upload)>();
        await Task.WhenAll(options.Clients.Select((_, i) => Task.Run(() => ClientLoopAsync(http, i, good[i], bad, clock, pending, cancellationToken), cancellationToken)));
        var window = clock.Elapsed;

        // Whatever is still queued when the window closes must still end; nothing is abandoned.
        await Task.WhenAll(pending.Select(p => AwaitEndAsync(http, p.Client, p.Upload, clock, options.Duration + options.DrainTimeout, cancellationToken)));
        var until = TimeSpan.FromTicks(Interlocked.Read(ref _lastScoredTicks));
        return new LoadResult([.. _accepted.OrderBy(a => a.Id)], _final, [.. _uploadMs], [.. _scoredMs], [.. _boardJsonMs], [.. _boardPageMs],
            _errors, _refusals, [.. _problems], window, until);
    }

    private async Task ClientLoopAsync(HttpClient http, int client, byte[] good, byte[] bad, Stopwatch clock, ConcurrentBag<(int, Upload)> pending, CancellationToken cancellationToken)
    {
        var node = options.Nodes[client % options.Nodes.Count];
        var token = options.Clients[client].Token;
        for (var iteration = 0; clock.Elapsed < options.Duration && !cancellationToken.IsCancellationRequested; iteration++)
        {
            // Staggered over the clients, so even a short run holds some deliberately bad files.
            var meantToBeRejected = options.RejectEvery > 0 && (client + iteration) % options.RejectEvery == options.RejectEvery - 1;
            Upload? upload = null;
            try
            {
                upload = await UploadAsync(http, node, client, token, meantToBeRejected ? bad : good, meantToBeRejected, iteration, clock, cancellationToken);
                if (upload is not null)
                {
                    if (!await AwaitEndAsync(http, client, upload, clock, options.Duration, cancellationToken))
                    {
                        pending.Add((client, upload));
                    }
                }
                await TimeReadAsync(http, new Uri(node, $"/api/challenges/{options.Slug}/leaderboard"), _boardJsonMs, cancellationToken);
                if (options.PageReadEvery > 0 && iteration % options.PageReadEvery == 0)
                {
                    await TimeReadAsync(http, new Uri(node, $"/challenges/{options.Slug}/leaderboard"), _boardPageMs, cancellationToken);
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or JsonException)
            {
                Count(_errors, exception.GetType().Name);
                if (upload is not null && !_final.ContainsKey(upload.Id))
                {
                    pending.Add((client, upload));
                }
            }
        }
    }

    private async Task<Upload?> UploadAsync(HttpClient http, Uri node, int client, string token, byte[] file, bool meantToBeRejected, int iteration, Stopwatch clock, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post,
            new Uri(node, $"/api/challenges/{options.Slug}/tasks/{options.TaskSlug}/submissions?fileName=load-{client:D3}-{iteration:D4}.csv"))
        {
            Content = new ByteArrayContent(file),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var start = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        if (response.StatusCode == HttpStatusCode.Accepted)
        {
            _uploadMs.Add(elapsed);
            using var json = JsonDocument.Parse(body);
            var upload = new Upload(client, json.RootElement.GetProperty("id").GetInt64(), meantToBeRejected, elapsed);
            _accepted.Add(upload);
            return upload;
        }
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            // The per-user upload limit is a refusal the server is meant to give, not an error:
            // wait as long as it says, within the window.
            Count(_refusals, "HTTP 429 (rate or quota limit)");
            var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
            var left = options.Duration - clock.Elapsed;
            if (left > TimeSpan.Zero)
            {
                await Task.Delay(wait < left ? wait : left, cancellationToken);
            }
            return null;
        }
        Count(_errors, $"HTTP {(int)response.StatusCode} on upload");
        _problems.Add($"client {client} upload {iteration}: HTTP {(int)response.StatusCode} {(body.Length > 200 ? body[..200] : body)}");
        return null;
    }

    // Polls the submission until it leaves the queue; false when the deadline (on the run's clock) came first.
    private async Task<bool> AwaitEndAsync(HttpClient http, int client, Upload upload, Stopwatch clock, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var node = options.Nodes[client % options.Nodes.Count];
        var start = Stopwatch.GetTimestamp();
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(node, $"/api/submissions/{upload.Id}"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Clients[client].Token);
            string status;
            try
            {
                using var response = await http.SendAsync(request, cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    Count(_errors, $"HTTP {(int)response.StatusCode} on status");
                    _problems.Add($"client {client} submission {upload.Id}: status read answered HTTP {(int)response.StatusCode}");
                    return true;
                }
                using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                status = json.RootElement.GetProperty("status").GetString()!;
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                Count(_errors, exception.GetType().Name + " on status");
                status = "queued";
            }
            if (status is not ("queued" or "scoring"))
            {
                _final[upload.Id] = status;
                _scoredMs.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds + upload.AcceptMs);
                var now = clock.Elapsed.Ticks;
                long seen;
                while ((seen = Interlocked.Read(ref _lastScoredTicks)) < now && Interlocked.CompareExchange(ref _lastScoredTicks, now, seen) != seen)
                {
                }
                return true;
            }
            if (clock.Elapsed > deadline || cancellationToken.IsCancellationRequested)
            {
                return false;
            }
            await Task.Delay(options.StatusPollMs, cancellationToken);
        }
    }

    private async Task TimeReadAsync(HttpClient http, Uri address, ConcurrentBag<double> into, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        using var response = await http.GetAsync(address, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await response.Content.CopyToAsync(Stream.Null, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            into.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        else
        {
            Count(_errors, $"HTTP {(int)response.StatusCode} on {address.AbsolutePath}");
        }
    }

    private static void Count(ConcurrentDictionary<string, int> counts, string kind) => counts.AddOrUpdate(kind, 1, (_, n) => n + 1);

    // Each client's own list through the API must hold exactly the uploads it was told were
    // accepted: none lost, none twice, none it never made.
    public async Task<IReadOnlyList<string>> VerifyThroughApiAsync(LoadResult result, CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(60) };
        var problems = new List<string>();
        for (var client = 0; client < options.Clients.Count; client++)
        {
            var node = options.Nodes[client % options.Nodes.Count];
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(node, $"/api/challenges/{options.Slug}/submissions"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Clients[client].Token);
            using var response = await http.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                problems.Add($"client {client}: listing its submissions answered HTTP {(int)response.StatusCode}");
                continue;
            }
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            var listed = json.RootElement.EnumerateArray()
                .Where(s => s.GetProperty("task").GetString() == options.TaskSlug)
                .Select(s => (Id: s.GetProperty("id").GetInt64(), Status: s.GetProperty("status").GetString()!)).ToList();
            var mine = result.Accepted.Where(a => a.Client == client).ToList();
            foreach (var duplicate in listed.GroupBy(s => s.Id).Where(g => g.Count() > 1))
            {
                problems.Add($"client {client}: submission {duplicate.Key} is listed {duplicate.Count()} times");
            }
            foreach (var lost in mine.Where(a => listed.All(s => s.Id != a.Id)))
            {
                problems.Add($"client {client}: accepted submission {lost.Id} is missing from its list");
            }
            foreach (var stranger in listed.Where(s => mine.All(a => a.Id != s.Id)))
            {
                problems.Add($"client {client}: submission {stranger.Id} is listed but was never accepted for it");
            }
            foreach (var upload in mine)
            {
                var status = listed.FirstOrDefault(s => s.Id == upload.Id).Status;
                var expected = upload.MeantToBeRejected ? "rejected" : "scored";
                if (status is not null && status != expected)
                {
                    problems.Add($"client {client}: submission {upload.Id} ended {status}, expected {expected}");
                }
            }
        }
        return problems;
    }

    public static string Describe(LoadResult result, int clients, int nodes)
    {
        var text = new StringBuilder();
        var accepted = result.Accepted.Count;
        var ended = result.FinalStatus.Count;
        var window = result.Window.TotalSeconds;
        var scoredSpan = Math.Max(result.UntilLastScored.TotalSeconds, 0.001);
        text.AppendLine(CultureInfo.InvariantCulture, $"{clients} clients on {nodes} node(s) for {window:0.0} s: {accepted} uploads accepted, {result.Ended("scored")} scored, {result.Ended("rejected")} rejected (as intended: {result.Accepted.Count(a => a.MeantToBeRejected)}), {result.Ended("failed")} failed, {accepted - ended} unfinished.");
        text.AppendLine(CultureInfo.InvariantCulture, $"Throughput: {accepted / window:0.00} submissions/s accepted; {ended / scoredSpan:0.00} submissions/s scored or rejected (over {scoredSpan:0.0} s to the last one).");
        text.AppendLine(Line("upload (to 202)", result.UploadMs));
        text.AppendLine(Line("upload to scored", result.ScoredMs));
        text.AppendLine(Line("leaderboard JSON", result.BoardJsonMs));
        text.AppendLine(Line("leaderboard page", result.BoardPageMs));
        text.AppendLine("Refusals: " + (result.Refusals.Count == 0 ? "none" : string.Join(", ", result.Refusals.Select(r => $"{r.Key} x{r.Value}"))));
        text.Append("Errors: " + (result.Errors.Count == 0 ? "none" : string.Join(", ", result.Errors.Select(e => $"{e.Key} x{e.Value}"))));
        return text.ToString();
    }

    public static double Percentile(IReadOnlyCollection<double> samples, double quantile)
    {
        if (samples.Count == 0)
        {
            return double.NaN;
        }
        var sorted = samples.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    private static string Line(string label, IReadOnlyCollection<double> samples) => string.Create(CultureInfo.InvariantCulture,
        $"  {label,-18} n={samples.Count,6}  p50 {Percentile(samples, 0.50),8:0.0} ms  p95 {Percentile(samples, 0.95),8:0.0} ms  p99 {Percentile(samples, 0.99),8:0.0} ms");
}
