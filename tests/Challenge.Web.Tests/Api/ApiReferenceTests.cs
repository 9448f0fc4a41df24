using System.Net;
using System.Text.Json;
using Challenge.Core.Data;
using Xunit.Abstractions;

namespace Challenge.Web.Tests.Api;

// The API describes itself: a reader of /openapi/v1.json learns how to authenticate, what each
// operation does and how it can fail, and /api/docs shows that document as a page.
public sealed class ApiReferenceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_document_declares_both_bearer_schemes_and_every_operation_has_a_summary_and_its_errors()
    {
        await using var factory = await ChallengeWebFactory.CreateAsync(DatabaseProviders.Sqlite);
        using var document = JsonDocument.Parse(await factory.CreateClient().GetStringAsync("/openapi/v1.json"));
        var root = document.RootElement;

        var schemes = root.GetProperty("components").GetProperty("securitySchemes");
        foreach (var name in new[] { "userToken", "workerToken" })
        {
            var scheme = schemes.GetProperty(name);
            Assert.Equal("http", scheme.GetProperty("type").GetString());
            Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        }

        var faults = new List<string>();
        var operations = 0;
        foreach (var path in root.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                operations++;
                var where = $"{operation.Name.ToUpperInvariant()} {path.Name}";
                if (!operation.Value.TryGetProperty("summary", out var summary) || string.IsNullOrWhiteSpace(summary.GetString()))
                {
                    faults.Add($"{where}: no summary");
                }
                var responses = operation.Value.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToList();
                // Only the bare public list (no parameter, no token, no body) cannot fail on the caller's account.
                var canFail = path.Name.Contains('{') || operation.Name != "get" || path.Name != "/api/challenges";
                if (canFail && !responses.Any(r => r.StartsWith('4')))
                {
                    faults.Add($"{where}: no error response");
                }
                if (path.Name.Contains('{') && !responses.Contains("404"))
                {
                    faults.Add($"{where}: no 404");
                }
                if (!operation.Value.TryGetProperty("security", out var security) || security.GetArrayLength() == 0)
                {
                    faults.Add($"{where}: no security requirement");
                }
                else if (path.Name.StartsWith("/api/workers", StringComparison.Ordinal)
                    && !security.EnumerateArray().Any(s => s.TryGetProperty("workerToken", out _)))
                {
                    faults.Add($"{where}: a worker route without the worker token");
                }
            }
        }
        output.WriteLine($"{operations} operations");
        var tags = root.GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToList();
        output.WriteLine(string.Join(", ", tags));
        Assert.Contains("Bundles", tags);
        Assert.Contains("Organizers", tags);
        Assert.DoesNotContain("Api", tags);
        Assert.True(faults.Count == 0, string.Join('\n', faults));
        Assert.True(operations > 30);
    }

    [Fact]
    public async Task The_reference_page_answers_at_api_docs_with_a_policy_that_lets_it_run()
    {
        await using var factory = await ChallengeWebFactory.CreateAsync(DatabaseProviders.Sqlite);
        var client = factory.CreateClient();

        using var response = await client.GetAsync("/api/docs");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        output.WriteLine(html);
        Assert.Contains("openapi/v1.json", html);
        var policy = string.Join(' ', response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", policy);
        Assert.Contains("script-src 'self' 'unsafe-inline';", policy);
        // The rest of the site keeps its strict policy.
        using var home = await client.GetAsync("/");
        Assert.Contains("script-src 'self';", string.Join(' ', home.Headers.GetValues("Content-Security-Policy")));
    }
}
