using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Challenge.Web.Tests.Hardening;

// An API failure answers problem details that say nothing of the server's insides, in every
// environment: the test factory runs the app in Development, where the developer page would show
// the exception and its stack.
public sealed class ApiErrorTests
{
    private const string Secret = "connection to db-internal.example:5432 refused at /srv/challenge/data";

    [Fact]
    public async Task An_api_endpoint_that_throws_answers_problem_details_without_the_exception_even_in_development()
    {
        await using var factory = new ChallengeWebFactory();
        var app = factory.WithWebHostBuilder(builder => builder.ConfigureServices(services => services.AddTransient<IStartupFilter, ThrowingApiRoute>()));
        var client = app.CreateClient();

        var response = await client.GetAsync("/api/test/throws");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"status\":500", body, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, body, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", body, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", body, StringComparison.Ordinal);
        Assert.DoesNotContain(".cs:line", body, StringComparison.Ordinal);
        // The failure is still logged for the operator.
        Assert.Contains(factory.ServerLog.Lines, line => line.Contains(Secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task In_production_a_failing_page_shows_the_error_page_and_the_api_problem_details_without_the_exception()
    {
        await using var factory = new ChallengeWebFactory();
        var app = factory.WithWebHostBuilder(builder => builder.UseEnvironment("Production")
            .ConfigureServices(services => services.AddTransient<IStartupFilter, ThrowingApiRoute>()));
        var client = app.CreateClient();

        var page = await client.GetAsync("/test/throws");
        var api = await client.GetAsync("/api/test/throws");

        Assert.Equal(HttpStatusCode.InternalServerError, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("Something went wrong", html, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, html, StringComparison.Ordinal);
        Assert.DoesNotContain(".cs:line", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.InternalServerError, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain(Secret, await api.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    // A route behind every endpoint of the app, as a bug in a handler would be: it runs inside the
    // app's pipeline (after its error handling is set up), when no endpoint matched the address.
    private sealed class ThrowingApiRoute : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Use((HttpContext context, RequestDelegate _) => context.Request.Path.Value is "/api/test/throws" or "/test/throws"
                ? throw new InvalidOperationException(Secret)
                : Task.CompletedTask);
        };
    }
}
