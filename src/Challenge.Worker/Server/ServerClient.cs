using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Challenge.Worker.Server;

/// <summary>A refusal or an error from the server, with the server's own explanation.</summary>
public sealed class ServerException(string message, HttpStatusCode status) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;

    public bool LeaseLost => Status == HttpStatusCode.Conflict;
}

/// <summary>The worker's calls to the server, authenticated by the worker token.</summary>
public sealed class ServerClient : IRunServer, IDisposable
{
    private const string LeaseHeader = "X-Lease-Id";
    private readonly HttpClient _http;

    public ServerClient(Uri server, string token, HttpMessageHandler? handler = null)
    {
        _http = handler is null ? new HttpClient() : new HttpClient(handler);
        _http.BaseAddress = server;
        // Downloads of large training sets are streamed; each call has its own cancellation.
        _http.Timeout = Timeout.InfiniteTimeSpan;
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("challenge-worker", "1.0"));
    }

    public async Task<WorkerInfo> RegisterAsync(RegistrationRequest request, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, "api/workers/register", null, Json(request, WorkerJson.Default.RegistrationRequest), TimeSpan.FromSeconds(30), cancellationToken);
        return await ReadAsync(response, WorkerJson.Default.WorkerInfo, cancellationToken);
    }

    /// <returns>The leased run, or null when the queue holds nothing for this worker.</returns>
    public async Task<Lease?> LeaseAsync(bool cuda, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, "api/workers/lease", null, Json(new LeaseRequest(cuda), WorkerJson.Default.LeaseRequest), TimeSpan.FromSeconds(30), cancellationToken);
        return response.StatusCode == HttpStatusCode.NoContent ? null : await ReadAsync(response, WorkerJson.Default.Lease, cancellationToken);
    }

    public async Task<ReportResponse> ReportAsync(Lease lease, ReportRequest report, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, $"api/workers/runs/{lease.RunId}/report", lease, Json(report, WorkerJson.Default.ReportRequest), TimeSpan.FromSeconds(30), cancellationToken);
        return await ReadAsync(response, WorkerJson.Default.ReportResponse, cancellationToken);
    }

    public async Task FailAsync(Lease lease, FailRequest failure, CancellationToken cancellationToken)
    {
        using var _ = await SendAsync(HttpMethod.Post, $"api/workers/runs/{lease.RunId}/fail", lease, Json(failure, WorkerJson.Default.FailRequest), TimeSpan.FromSeconds(30), cancellationToken);
    }

    public async Task ReleaseAsync(Lease lease, CancellationToken cancellationToken)
    {
        using var _ = await SendAsync(HttpMethod.Post, $"api/workers/runs/{lease.RunId}/release", lease, null, TimeSpan.FromSeconds(30), cancellationToken);
    }

    public async Task<PredictionsAccepted> UploadPredictionsAsync(Lease lease, string path, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(path);
        var content = new StreamContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        var fileName = Uri.EscapeDataString($"baseline-{lease.Model}-run{lease.RunId}.csv");
        using var response = await SendAsync(HttpMethod.Post, $"api/workers/runs/{lease.RunId}/predictions?fileName={fileName}", lease, content, TimeSpan.FromMinutes(30), cancellationToken);
        return await ReadAsync(response, WorkerJson.Default.PredictionsAccepted, cancellationToken);
    }

    /// <summary>Streams one data file of the run to <paramref name="path"/>, checking its SHA-256 against the lease.</summary>
    public async Task DownloadAsync(Lease lease, LeaseFile file, string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, file.Url.TrimStart('/'));
        request.Headers.Add(LeaseHeader, lease.LeaseId);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await ThrowIfFailedAsync(response, cancellationToken);
        var partial = path + ".part";
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            await using (var source = await response.Content.ReadAsStreamAsync(cancellationToken))
            await using (var target = File.Create(partial))
            {
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
            }
            var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (!sha.Equals(file.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                File.Delete(partial);
                throw new InvalidDataException($"{file.FileName}: the download's SHA-256 is {sha}, the server announced {file.Sha256}.");
            }
        }
        File.Move(partial, path, overwrite: true);
    }

    public void Dispose() => _http.Dispose();

    private static JsonContent Json<T>(T value, JsonTypeInfo<T> type) => JsonContent.Create(value, type);

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, Lease? lease, HttpContent? content, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (lease is not null)
        {
            request.Headers.Add(LeaseHeader, lease.LeaseId);
        }
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, timeoutSource.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new HttpRequestException($"{method} {path}: no answer within {timeout.TotalSeconds:0} s.");
        }
        try
        {
            await ThrowIfFailedAsync(response, cancellationToken);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private static async Task ThrowIfFailedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        string? detail = null;
        try
        {
            var problem = text.Length == 0 ? null : JsonSerializer.Deserialize(text, WorkerJson.Default.Problem);
            detail = problem?.Detail ?? problem?.Title;
        }
        catch (JsonException)
        {
            // Not a problem document; the status code says enough.
        }
        var reason = response.StatusCode == HttpStatusCode.Unauthorized
            ? "the server refused the worker token (unknown or revoked)"
            : detail ?? $"{(int)response.StatusCode} {response.ReasonPhrase}";
        throw new ServerException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath}: {reason}", response.StatusCode);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type, CancellationToken cancellationToken) =>
        await response.Content.ReadFromJsonAsync(type, cancellationToken)
        ?? throw new InvalidDataException($"{response.RequestMessage?.RequestUri?.AbsolutePath}: the server answered an empty body.");
}
