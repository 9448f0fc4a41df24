using System.Net.Http.Headers;
using System.Text;
using Challenge.Core.Accounts;
using Challenge.Core.Files;
using Challenge.Core.Tasks;
using Challenge.Core.Teams;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Challenge.Web.Tests.Access;

// Every route the app maps, asked by each kind of person, against the status written down for it
// here. A route added without a line below fails, and so does a rule that lets someone through
// who was refused before (or the reverse).
public sealed class RouteAccessTests(ITestOutputHelper output)
{
    private static readonly string[] People = ["anonymous", "ada", "bob", "otto", "cora", "olga"];

    // method route | anonymous, ada (team A, made the submission), bob (team B), otto (organizer of
    // another challenge), cora (co-organizer of this one), olga (admin, its owner).
    private const string Expected = """
        GET / | 200 200 200 200 200 200
        GET /account/access-denied | 200 200 200 200 200 200
        GET /account/login | 200 200 200 200 200 200
        POST /account/logout | 415 415 415 415 415 415
        GET /account/profile | 302 200 200 200 200 200
        GET /account/register | 200 200 200 200 200 200
        GET /account/reset-password | 200 200 200 200 200 200
        GET /account/tokens | 302 200 200 200 200 200
        GET /admin | 302 403 403 403 403 200
        POST /api/baselines/{id:long}/cancel | 401 404 404 404 404 404
        POST /api/bundles | 401 403 403 400 400 400
        GET /api/challenges | 200 200 200 200 200 200
        POST /api/challenges | 401 403 403 400 400 400
        GET /api/challenges/{slug} | 200 200 200 200 200 200
        PATCH /api/challenges/{slug} | 401 404 404 404 200 200
        GET /api/challenges/{slug}/baselines | 401 404 404 404 200 200
        POST /api/challenges/{slug}/baselines | 401 404 404 404 400 400
        GET /api/challenges/{slug}/bundle | 401 404 404 404 200 200
        GET /api/challenges/{slug}/data | 200 200 200 200 200 200
        POST /api/challenges/{slug}/data | 401 404 404 404 200 200
        GET /api/challenges/{slug}/data/{fileName} | 401 200 200 403 200 200
        GET /api/challenges/{slug}/leaderboard | 200 200 200 200 200 200
        GET /api/challenges/{slug}/leaderboard.csv | 200 200 200 200 200 200
        GET /api/challenges/{slug}/rescores | 403 403 403 403 200 200
        GET /api/challenges/{slug}/stability | 403 403 403 403 200 200
        GET /api/challenges/{slug}/stability.csv | 403 403 403 403 200 200
        POST /api/challenges/{slug}/publish | 401 404 404 404 200 200
        POST /api/challenges/{slug}/reveal | 401 404 404 404 409 409
        GET /api/challenges/{slug}/settings | 401 404 404 404 200 200
        GET /api/challenges/{slug}/submissions | 401 200 200 200 200 200
        GET /api/challenges/{slug}/submissions.csv | 401 404 404 404 200 200
        POST /api/challenges/{slug}/tasks | 401 404 404 404 400 400
        PATCH /api/challenges/{slug}/tasks/{task} | 401 404 404 404 200 200
        GET /api/challenges/{slug}/tasks/{task}/gold | 401 404 404 404 404 404
        PUT /api/challenges/{slug}/tasks/{task}/gold | 401 404 404 404 422 422
        GET /api/challenges/{slug}/tasks/{task}/images | 401 200 200 403 200 200
        PUT /api/challenges/{slug}/tasks/{task}/images | 401 404 404 404 422 422
        GET /api/challenges/{slug}/tasks/{task}/images.zip | 401 404 404 403 404 404
        GET /api/challenges/{slug}/tasks/{task}/images/{imageId:int} | 401 404 404 403 404 404
        GET /api/challenges/{slug}/tasks/{task}/pre-annotations | 401 404 404 403 404 404
        PUT /api/challenges/{slug}/tasks/{task}/pre-annotations | 401 404 404 404 422 422
        POST /api/challenges/{slug}/tasks/{task}/quota-grants | 401 404 404 404 404 404
        GET /api/challenges/{slug}/tasks/{task}/settings | 401 404 404 404 200 200
        PUT /api/challenges/{slug}/tasks/{task}/solution | 401 404 404 404 422 422
        POST /api/challenges/{slug}/tasks/{task}/submissions | 401 202 202 403 403 403
        GET /api/docs/favicon.svg | 200 200 200 200 200 200
        GET /api/docs/scalar.aspnetcore.js | 200 200 200 200 200 200
        GET /api/docs/scalar.js | 200 200 200 200 200 200
        GET /api/docs/{documentName?} | 200 200 200 200 200 200
        GET /api/submissions/{id:long} | 401 200 404 404 200 200
        POST /api/workers/lease | 401 401 401 401 401 401
        POST /api/workers/register | 401 401 401 401 401 401
        POST /api/workers/runs/{id:long}/fail | 401 401 401 401 401 401
        GET /api/workers/runs/{id:long}/files/{fileId:int} | 401 401 401 401 401 401
        POST /api/workers/runs/{id:long}/predictions | 401 401 401 401 401 401
        POST /api/workers/runs/{id:long}/release | 401 401 401 401 401 401
        POST /api/workers/runs/{id:long}/report | 401 401 401 401 401 401
        GET /challenges | 200 200 200 200 200 200
        GET /challenges/new | 302 403 403 200 200 200
        GET /challenges/{Slug} | 200 200 200 200 200 200
        GET /challenges/{Slug}/data | 200 200 200 200 200 200
        GET /challenges/{Slug}/discussion | 200 200 200 200 200 200
        GET /challenges/{Slug}/discussion/{ThreadId:int} | 200 200 200 200 200 200
        GET /challenges/{Slug}/edit | 302 403 403 200 200 200
        GET /challenges/{Slug}/evaluation | 200 200 200 200 200 200
        GET /challenges/{Slug}/leaderboard | 200 200 200 200 200 200
        GET /challenges/{Slug}/manage | 302 403 403 200 200 200
        GET /challenges/{Slug}/rules | 200 200 200 200 200 200
        GET /challenges/{Slug}/stability | 200 200 200 200 200 200
        GET /challenges/{Slug}/submissions | 302 200 200 200 200 200
        GET /challenges/{Slug}/submit | 302 200 200 200 200 200
        GET /challenges/{Slug}/team | 302 200 200 200 200 200
        GET /challenges/{Slug}/viewer | 302 200 200 200 200 200
        GET /challenges/{slug}/files/{id:int} | 302 200 200 403 200 200
        GET /challenges/{slug}/submissions/{id:long}/file | 302 200 404 404 200 200
        GET /challenges/{slug}/tasks/{task}/sample-submission.csv | 200 200 200 200 200 200
        GET /error | 200 200 200 200 200 200
        GET /health | 200 200 200 200 200 200
        GET /not-found | 200 200 200 200 200 200
        GET /openapi/{documentName}.json | 200 200 200 200 200 200
        GET /organize | 302 403 403 200 200 200
        GET /organize/workers | 302 403 403 200 200 200
        GET /teams | 302 200 200 200 200 200
        """;

    [Fact]
    public async Task Every_route_answers_each_kind_of_person_as_its_access_rule_says()
    {
        await using var site = await CompetitionSite.StartAsync();
        var factory = site.Factory;
        var cora = await site.AccountAsync("cora");
        var otto = await site.AccountAsync("otto");
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            await users.AddToRoleAsync((await users.FindByIdAsync(cora.UserId))!, Roles.Organizer);
            await users.AddToRoleAsync((await users.FindByIdAsync(otto.UserId))!, Roles.Organizer);
        }
        Assert.Null(await site.Get<Challenge.Core.Challenges.CompetitionService>().AddCoOrganizerAsync(site.Challenge.Id, cora.Email, site.Organizer.Principal));
        var boxes = (await site.Get<TaskService>().SaveAsync(site.Challenge.Id, null,
            new TaskInput { Slug = "boxes", Title = "Boxes", Family = TaskFamily.Annotation, Metric = "box_f1" }, site.Organizer.Principal)).Saved!;
        var (dataFile, error) = await site.Get<DataFileService>().UploadAsync(site.Challenge.Id, new MemoryStream("a,b\n"u8.ToArray()), "train.csv", "", site.Organizer.Principal);
        Assert.Null(error);
        var submitted = await site.SubmitAsync(site.Ada, CompetitionSite.PerfectCsv());
        var submissionId = (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<System.Text.Json.JsonElement>(submitted.Content)).GetProperty("id").GetInt64();
        await site.WaitForScoringAsync(submissionId);

        var tokens = new Dictionary<string, string?>
        {
            ["anonymous"] = null, ["ada"] = site.Ada.Token, ["bob"] = site.Bob.Token,
            ["otto"] = otto.Token, ["cora"] = cora.Token, ["olga"] = site.Organizer.Token,
        };
        var clients = tokens.ToDictionary(t => t.Key, t =>
        {
            var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
            if (t.Value is not null)
            {
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", t.Value);
            }
            return client;
        });

        var routes = factory.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Where(m => m != "HEAD")
                // Pages answer form posts for their own forms only (antiforgery): their GET is what is ruled.
                .Where(m => m != "POST" || !IsPage(e))
                .Select(m => (Method: m, Pattern: e.RoutePattern.RawText!)))
            .Where(r => !IsFramework(r.Pattern))
            .Distinct()
            .OrderBy(r => r.Pattern, StringComparer.Ordinal).ThenBy(r => r.Method, StringComparer.Ordinal)
            .ToList();

        var actual = new List<string>();
        foreach (var (method, pattern) in routes)
        {
            var path = pattern
                .Replace("{slug}", CompetitionSite.Slug).Replace("{Slug}", CompetitionSite.Slug)
                .Replace("{task}", pattern.Contains("/images") || pattern.Contains("/gold") || pattern.Contains("/pre-annotations") ? boxes.Slug : CompetitionSite.TaskSlug)
                .Replace("{fileName}", dataFile!.FileName)
                .Replace("{imageId:int}", "1")
                .Replace("{ThreadId:int}", "1")
                .Replace("{documentName}", "v1")
                .Replace("{fileId:int}", dataFile.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .Replace("{id:int}", dataFile.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .Replace("{id:long}", pattern.Contains("submissions") ? submissionId.ToString(System.Globalization.CultureInfo.InvariantCulture) : "999999");
            var statuses = new List<int>();
            foreach (var person in People)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (method is "POST" or "PUT" or "PATCH")
                {
                    // A body every endpoint can read, so the answer is the rule's and not the content type's.
                    request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                }
                using var response = await clients[person].SendAsync(request);
                statuses.Add((int)response.StatusCode);
            }
            actual.Add($"{method} {pattern} | {string.Join(' ', statuses)}");
        }

        output.WriteLine(string.Join('\n', actual));
        var expected = Expected.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var missing = actual.Select(Route).Except(expected.Select(Route)).ToList();
        Assert.True(missing.Count == 0, "Routes with no access line in this test: add each with the status every kind of person must get:\n" + string.Join('\n', actual.Where(a => missing.Contains(Route(a)))));
        var gone = expected.Select(Route).Except(actual.Select(Route)).ToList();
        Assert.True(gone.Count == 0, "Lines for routes the app no longer maps:\n" + string.Join('\n', gone));
        var wrong = actual.Except(expected).ToList();
        Assert.True(wrong.Count == 0, $"Statuses differ from the rules ({string.Join(' ', People)}):\n" + string.Join('\n', wrong.Select(w => $"{w}   (expected {expected.Single(e => Route(e) == Route(w)).Split('|')[1].Trim()})")));
    }

    private static string Route(string line) => line.Split('|')[0].Trim();

    private static bool IsPage(RouteEndpoint endpoint) => endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Components.Endpoints.ComponentTypeMetadata>() is not null;

    // The framework's own routes: static files and the Blazor hub (its origin rule is tested on its own).
    private static bool IsFramework(string pattern) =>
        pattern.StartsWith("/_blazor", StringComparison.Ordinal) || pattern.StartsWith("/_framework", StringComparison.Ordinal) || pattern.StartsWith("_content", StringComparison.Ordinal)
        || pattern.StartsWith("_framework", StringComparison.Ordinal) || pattern.Contains("{**path", StringComparison.Ordinal)
        || (!pattern.Contains('{') && Path.HasExtension(pattern) && !pattern.StartsWith("/api", StringComparison.Ordinal) && !pattern.StartsWith("/openapi", StringComparison.Ordinal));
}
