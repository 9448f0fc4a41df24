using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Challenge.Web.Api;

/// <summary>
/// The OpenAPI document as a reader needs it: the two bearer schemes (a person's token, a worker's
/// token), which operation takes which, and the problem answers each can give; and the interactive
/// reference page over it at <see cref="DocsPath"/>.
/// </summary>
internal static class ApiReference
{
    public const string DocsPath = "/api/docs";
    public const string UserTokenScheme = "userToken";
    public const string WorkerTokenScheme = "workerToken";

    public static void Configure(OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Challenge API";
            document.Info.Description = "The REST API of the Challenge competition server. Send a personal token (chl_…, made on the account's API tokens page) as `Authorization: Bearer chl_…`; workers send their own token (chw_…). Errors are problem details (RFC 9457).";
            // The operations carry their tags (set below); the document lists the same ones, in order.
            document.Tags = new HashSet<OpenApiTag>((document.Paths?.Values.AsEnumerable() ?? []).SelectMany(p => p.Operations?.Values.AsEnumerable() ?? []).SelectMany(o => o.Tags?.AsEnumerable() ?? [])
                .Select(t => t.Name).OfType<string>().Distinct().Order(StringComparer.Ordinal).Select(name => new OpenApiTag { Name = name }));
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[UserTokenScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "chl_…",
                Description = "A personal API token, made on /account/tokens. It acts as its owner, with the owner's roles.",
            };
            document.Components.SecuritySchemes[WorkerTokenScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "chw_…",
                Description = "A worker's token, made by an organizer on /organize/workers. Only the /api/workers routes take it.",
            };
            return Task.CompletedTask;
        });

        options.AddOperationTransformer((operation, context, _) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            var policies = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).ToList();
            var method = context.Description.HttpMethod ?? "GET";
            var route = context.Description.RelativePath ?? "";
            operation.Tags = new HashSet<OpenApiTagReference> { new(TagOf(method, "/" + route), context.Document) };
            operation.Security ??= [];
            operation.Responses ??= [];
            var authenticated = policies.Count > 0;
            if (policies.Contains(WorkerTokenAuthenticationHandler.Policy))
            {
                operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(WorkerTokenScheme, context.Document)] = [] });
            }
            else if (authenticated)
            {
                operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(UserTokenScheme, context.Document)] = [] });
            }
            else
            {
                // Public reads: a token is optional and shows drafts one manages, or one's own entries.
                operation.Security.Add(new OpenApiSecurityRequirement());
                operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(UserTokenScheme, context.Document)] = [] });
            }

            if (method is "POST" or "PUT" or "PATCH")
            {
                Problem(operation, "400", "The request is malformed or a field is invalid; `errors` names each field at fault.");
            }
            if (authenticated)
            {
                Problem(operation, "401", "No token, or an unknown or revoked one.");
                Problem(operation, "403", "The token's owner may not do this.");
            }
            if (route.Contains("{", StringComparison.Ordinal))
            {
                Problem(operation, "404", "Nothing at this address that the caller may see: an unknown challenge, task or id, a draft, or a challenge the caller does not manage.");
            }
            if (metadata.OfType<EnableRateLimitingAttribute>().Any())
            {
                Problem(operation, "429", "Too many uploads in a minute; Retry-After says how long to wait.");
            }
            return Task.CompletedTask;
        });
    }

    // The reference groups operations by what a reader comes to do, not by the file that maps them.
    private static string TagOf(string method, string route) => route switch
    {
        _ when route.StartsWith("/api/workers", StringComparison.Ordinal) => "Workers",
        _ when route.StartsWith("/account", StringComparison.Ordinal) => "Account",
        _ when route.Contains("/bundle", StringComparison.Ordinal) => "Bundles",
        _ when route.Contains("/baselines", StringComparison.Ordinal) => "Baselines",
        _ when route.Contains("/images", StringComparison.Ordinal) || route.Contains("/gold", StringComparison.Ordinal) || route.Contains("/pre-annotations", StringComparison.Ordinal) => "Annotation tasks",
        _ when route.Contains("/leaderboard", StringComparison.Ordinal) => "Leaderboards",
        _ when route.Contains("/submissions.csv", StringComparison.Ordinal) => "Organizers",
        _ when route.Contains("/submissions", StringComparison.Ordinal) => "Submissions",
        _ when method == "GET" && (route.Contains("/data", StringComparison.Ordinal) || route.Contains("/files/", StringComparison.Ordinal) || route.Contains("sample-submission", StringComparison.Ordinal)) => "Downloads",
        _ when method == "GET" && !route.Contains("/settings", StringComparison.Ordinal) => "Challenges",
        _ => "Organizers",
    };

    private static void Problem(OpenApiOperation operation, string status, string description)
    {
        if (operation.Responses!.ContainsKey(status))
        {
            return;
        }
        operation.Responses[status] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new OpenApiMediaType() },
        };
    }

    /// <summary>The reference page, reading the document at /openapi/v1.json; its script and styles are served from this site.</summary>
    public static IEndpointConventionBuilder MapApiDocs(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapScalarApiReference(DocsPath, options => options
            .WithTitle("Challenge API")
            .DisableDefaultFonts()
            .DisableTelemetry()
            .DisableAgent()
            .DisableMcp()
            .HideDeveloperTools()
            .AddPreferredSecuritySchemes(UserTokenScheme));
}
