using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Challenge.Web.Bench;

internal sealed record Accepted(long Id, HttpStatusCode Status, string? Problem);

internal sealed record SubmissionState(string Status, double? PublicScore);

internal sealed record Timed(double Milliseconds, double FirstByteMilliseconds, long Bytes, HttpStatusCode Status);

// Thin calls to the public REST API over one pooled handler.
internal sealed class BenchClient : IDisposable
{
    private readonly HttpClient _http;

    public BenchClient(Uri address)
    {
        _http = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            MaxConnectionsPerServer = 512,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        })
        {
            BaseAddress = address,
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public static string LeaderboardPath => $"/api/challenges/{BenchWorld.Slug}/leaderboard";

    public static string LeaderboardPagePath => $"/challenges/{BenchWorld.Slug}/leaderboard";

    public async Task<Accepted> SubmitAsync(string token, byte[] csv, string fileName)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post,
            $"/api/challenges/{BenchWorld.Slug}/tasks/{BenchWorld.TaskSlug}/submissions?fileName={Uri.EscapeDataString(fileName)}")
        {
            Content = new ByteArrayContent(csv),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            return new Accepted(0, response.StatusCode, body.Length > 300 ? body[..300] : body);
        }
        using var json = JsonDocument.Parse(body);
        return new Accepted(json.RootElement.GetProperty("id").GetInt64(), response.StatusCode, null);
    }

    public async Task<SubmissionState> StatusAsync(string token, long id)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/submissions/{id}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await _http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync();
        using var json = await JsonDocument.ParseAsync(stream);
        var score = json.RootElement.GetProperty("publicScore");
        return new SubmissionState(json.RootElement.GetProperty("status").GetString()!, score.ValueKind == JsonValueKind.Number ? score.GetDouble() : null);
    }

    // Team name to public score, as the JSON leaderboard shows it now.
    public async Task<Dictionary<string, double?>> LeaderboardAsync()
    {
        using var response = await _http.GetAsync(LeaderboardPath, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync();
        using var json = await JsonDocument.ParseAsync(stream);
        var scores = new Dictionary<string, double?>();
        foreach (var entry in json.RootElement.GetProperty("entries").EnumerateArray())
        {
            var score = entry.GetProperty("score");
            scores[entry.GetProperty("team").GetString()!] = score.ValueKind == JsonValueKind.Number ? score.GetDouble() : null;
        }
        return scores;
    }

    // Wall time to the last byte of the body, and to the first one, for any GET.
    public async Task<Timed> TimeGetAsync(string path)
    {
        var start = Stopwatch.GetTimestamp();
        using var response = await _http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        var firstByte = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        await using var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[1 << 16];
        long bytes = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            bytes += read;
        }
        return new Timed(Stopwatch.GetElapsedTime(start).TotalMilliseconds, firstByte, bytes, response.StatusCode);
    }

    public static string Kb(long bytes) => (bytes / 1024.0).ToString("0", CultureInfo.InvariantCulture) + " KB";

    public void Dispose() => _http.Dispose();
}
