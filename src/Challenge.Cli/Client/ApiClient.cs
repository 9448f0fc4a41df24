using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace Challenge.Cli.Client;

/// <summary>
/// Requests to the server's REST API. Every failure becomes a <see cref="CliException"/> whose
/// message a person can act on: the server's problem detail, a refused token, an unreachable server.
/// </summary>
internal sealed class ApiClient(HttpClient http, ClientSettings settings) : IDisposable
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    private readonly HttpClient _http = http;

    public ClientSettings Settings { get; } = settings;

    public Uri Resolve(string relativePath) => new(Settings.Server, relativePath);

    public async Task<T> GetJsonAsync<T>(string relativePath, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, Resolve(relativePath)), cancellationToken);
        return await ReadJsonAsync<T>(response, cancellationToken);
    }

    public async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(s_json, cancellationToken)
                ?? throw new JsonException("the body is empty");
        }
        catch (JsonException exception)
        {
            throw new CliException(
                $"{Settings.Server} answered {response.Content.Headers.ContentType?.MediaType ?? "an unknown type"} that is not the Challenge API's JSON ({exception.Message}). Is --server the right address?");
        }
    }

    /// <summary>
    /// Sends with the token (when there is one) and returns a successful response with its headers
    /// read; the body is left to stream. <paramref name="notFound"/> replaces the message of a 404.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken, string? notFound = null) =>
        await SendAsync(request, cancellationToken, notFound, null);

    /// <summary>As <see cref="SendAsync(HttpRequestMessage, CancellationToken, string?)"/>, also returning a response of status <paramref name="alsoAccepted"/> for the caller to read.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken, string? notFound, HttpStatusCode? alsoAccepted)
    {
        using (request)
        {
            if (Settings.Token is { } token)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            }
            catch (HttpRequestException exception)
            {
                throw new CliException(Unreachable(exception));
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new CliException($"the server at {Settings.Server} did not answer in time.");
            }
            if (response.IsSuccessStatusCode || response.StatusCode == alsoAccepted)
            {
                return response;
            }
            using (response)
            {
                throw new CliException(notFound is not null && response.StatusCode == HttpStatusCode.NotFound
                    ? notFound
                    : await DescribeFailureAsync(response, cancellationToken));
            }
        }
    }

    public void Dispose() => _http.Dispose();

    private string Unreachable(HttpRequestException exception)
    {
        var reason = exception.InnerException is SocketException socket ? socket.Message : exception.Message;
        return $"cannot reach the server at {Settings.Server} ({reason}). Check the address given by --server, {ClientSettings.ServerVariable} or the configuration file.";
    }

    private async Task<string> DescribeFailureAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var code = (int)response.StatusCode;
        // The API answers a refused token with a bare 401, so the reason has to be told here.
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            return Settings.Token is null
                ? Settings.RequireToken()
                : $"the server refused the API token from {Settings.TokenSource} (HTTP 401): it is unknown or revoked, or its account is locked. " +
                  $"Create a new token on {Settings.TokensPage} and save it with `challenge configure --token TOKEN`.";
        }
        var problem = await ReadProblemAsync(response, cancellationToken);
        var text = problem?.Detail ?? problem?.Title;
        return string.IsNullOrWhiteSpace(text)
            ? $"the server answered HTTP {code} {response.ReasonPhrase}."
            : $"{TextCell.Clean(text)} (HTTP {code})";
    }

    private static async Task<ProblemInfo?> ReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var mediaType = response.Content.Headers.ContentType?.MediaType ?? "";
        if (!mediaType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        try
        {
            return await response.Content.ReadFromJsonAsync<ProblemInfo>(s_json, cancellationToken);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
