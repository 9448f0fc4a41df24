using System.Security.Claims;
using Challenge.Core.Access;
using Challenge.Core.Bundles;

namespace Challenge.Web.Api;

// Challenges as code: a bundle (zip of challenge.yaml or a Codabench competition.yaml, with the
// files they name) becomes a draft challenge, and a challenge becomes a bundle again.
internal static class BundleEndpoints
{
    public static RouteGroupBuilder MapBundleEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/bundles", ImportAsync).RequireAuthorization(ApiAuthorization.TokenOnly).DisableAntiforgery().AllowLargeUploads()
            .RequireRateLimiting(SubmissionEndpoints.UploadRateLimit)
            .WithName("ImportBundle")
            .WithSummary("Create a draft challenge from a bundle zip (challenge.yaml, or Codabench's competition.yaml with ?metric=); ?slug= imports it under another slug. Every error names its file, line and key; nothing is created when there is one.");
        var managed = api.MapChallengeGroup(rule: AccessRules.ManageChallenge, refused: ChallengeRouteGroups.NotManaged);
        managed.MapGet("/bundle", ExportAsync).RequireAuthorization(ApiAuthorization.TokenOrCookie)
            .WithName("ExportBundle").WithSummary("The challenge as a bundle zip (challenge.yaml, pages, data files); ?includeSolutions=true adds the hidden solutions.");
        return api;
    }

    private static async Task<IResult> ImportAsync(HttpRequest request, string? slug, string? metric, string? kind, ClaimsPrincipal user, BundleImporter importer, CancellationToken cancellationToken)
    {
        if (!Core.Challenges.CompetitionService.CanCreate(user))
        {
            return ApiProblems.Forbidden("Only organizers can create challenges; an admin grants the role.");
        }
        var (content, fileName, error) = await UploadBody.OpenAsync(request, "bundle.zip");
        if (content is null)
        {
            return ApiProblems.BadRequest(error!);
        }
        var archive = await ReadBoundedAsync(content, BundleFiles.MaxBundleBytes, cancellationToken);
        if (archive is null)
        {
            return ApiProblems.BadRequest($"A bundle is at most {BundleFiles.MaxBundleBytes >> 20:N0} MB; upload large data files on their own.");
        }
        var (files, refusal) = BundleFiles.FromZip(archive, Path.GetFileName(fileName));
        if (files is null)
        {
            return ApiProblems.BadRequest(refusal!.ToString());
        }
        var outcome = await importer.ImportAsync(files, new BundleImportOptions(slug, metric, kind), user, cancellationToken);
        if (outcome.Value is not { } result)
        {
            return outcome.ToProblem();
        }
        if (result.Challenge is not { } challenge)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "The bundle is refused",
                detail: $"{result.Errors.Count} problem{(result.Errors.Count == 1 ? "" : "s")} in the bundle; nothing was created.",
                extensions: new Dictionary<string, object?>
                {
                    ["errors"] = result.Errors.Select(e => new { file = e.File, line = e.Line, key = e.Key, message = e.Message }).ToList(),
                    ["notes"] = result.Notes,
                });
        }
        return TypedResults.Created($"/api/challenges/{challenge.Slug}", new { slug = challenge.Slug, format = result.Format, status = "draft", notes = result.Notes });
    }

    private static async Task<IResult> ExportAsync(ChallengeRoute route, bool? includeSolutions, ClaimsPrincipal user, BundleExporter exporter, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var outcome = await exporter.WriteZipAsync(route.Challenge, includeSolutions == true, user, buffer, cancellationToken);
        if (!outcome.IsOk)
        {
            return outcome.ToProblem();
        }
        return TypedResults.File(buffer.ToArray(), "application/zip", $"{route.Challenge.Slug}-bundle.zip");
    }

    private static async Task<byte[]?> ReadBoundedAsync(Stream content, long maxBytes, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[1 << 16];
        int read;
        while ((read = await content.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
