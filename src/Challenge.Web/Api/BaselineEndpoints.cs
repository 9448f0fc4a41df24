using Challenge.Core.Access;
using System.Security.Claims;
using Challenge.Core.Baselines;
using Challenge.Core.Challenges;
using Challenge.Core.Data;
using Challenge.Core.Tasks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Web.Api;

// Organizers queue, watch and cancel baseline runs; participants get 404 as for any challenge
// they do not manage.
internal static class BaselineEndpoints
{
    public static RouteGroupBuilder MapBaselineEndpoints(this RouteGroupBuilder api)
    {
        var managed = api.MapChallengeGroup(rule: AccessRules.ManageChallenge, refused: ChallengeRouteGroups.NotManaged);
        managed.MapGet("/baselines", ListAsync).RequireAuthorization(ApiAuthorization.TokenOrCookie)
            .WithName("ListBaselineRuns").WithSummary("The challenge's baseline runs, newest first, with progress, loss curve, log and score.");
        managed.MapPost("/baselines", CreateAsync).RequireAuthorization(ApiAuthorization.TokenOnly).DisableAntiforgery()
            .WithName("QueueBaselineRun").WithSummary("Queue a baseline run: task, model, epochs, device (auto, cpu, cuda), training and test data files by name.");
        api.MapPost("/baselines/{id:long}/cancel", CancelAsync).RequireAuthorization(ApiAuthorization.TokenOnly).DisableAntiforgery()
            .WithName("CancelBaselineRun").WithSummary("Cancel a queued or running baseline run of a challenge one manages.");
        return api;
    }

    private static async Task<Results<Ok<List<BaselineRunDto>>, ProblemHttpResult>> ListAsync(
        ChallengeRoute route, ClaimsPrincipal user, BaselineService baselines, CancellationToken cancellationToken)
    {
        var runs = await baselines.ListAsync(route.Challenge.Id, user, take: 50, cancellationToken: cancellationToken);
        return runs is null
            ? TypedResults.Problem(statusCode: 404, title: "Not found", detail: $"No challenge '{route.Challenge.Slug}' that you manage.")
            : TypedResults.Ok(runs.Select(BaselineRunDto.From).ToList());
    }

    private static async Task<Results<Created<BaselineRunDto>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        ChallengeRoute route, BaselineRunRequest request, ClaimsPrincipal user,
        BaselineService baselines, IDbContextFactory<ChallengeDbContext> dbFactory, CancellationToken cancellationToken)
    {
        var (challenge, slug) = (route.Challenge, route.Challenge.Slug);
        var errors = new Dictionary<string, string[]>();
        var task = route.Tasks.FirstOrDefault(t => t.Slug == request.Task);
        if (task is null)
        {
            errors["task"] = [$"No task '{request.Task}' in this challenge."];
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var files = await db.DataFiles.Where(f => f.CompetitionId == challenge.Id).ToDictionaryAsync(f => f.FileName, f => f.Id, cancellationToken);
        int? FileId(string field, string? name)
        {
            if (string.IsNullOrEmpty(name))
            {
                return null;
            }
            if (files.TryGetValue(name, out var id))
            {
                return id;
            }
            errors[field] = [$"No data file '{name}' in this challenge."];
            return null;
        }
        var device = (request.Device ?? "auto").ToLowerInvariant() switch
        {
            "auto" => BaselineDevice.Auto,
            "cpu" => BaselineDevice.Cpu,
            "cuda" or "gpu" => BaselineDevice.Cuda,
            _ => (BaselineDevice?)null,
        };
        if (device is null)
        {
            errors["device"] = [$"Unknown device '{request.Device}': expected auto, cpu or cuda."];
        }
        var input = new BaselineRunInput
        {
            TaskId = task?.Id ?? 0,
            Model = request.Model ?? "",
            Epochs = request.Epochs,
            Device = device ?? BaselineDevice.Auto,
            Seed = request.Seed ?? 0,
            TrainFileId = FileId("trainFile", request.TrainFile),
            TestFileId = FileId("testFile", request.TestFile),
            UnlabelledFileId = FileId("unlabelledFile", request.UnlabelledFile),
        };
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var (run, problems) = await baselines.CreateAsync(challenge.Id, input, user, cancellationToken);
        if (run is null)
        {
            return TypedResults.ValidationProblem(problems.ToDictionary(p => JsonName(p.Key), p => new[] { p.Value }));
        }
        var view = (await baselines.ListAsync(challenge.Id, user, take: 1, cancellationToken: cancellationToken))!.Single(v => v.Run.Id == run.Id);
        return TypedResults.Created($"/api/challenges/{slug}/baselines", BaselineRunDto.From(view));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> CancelAsync(long id, ClaimsPrincipal user, BaselineService baselines, CancellationToken cancellationToken)
    {
        var error = await baselines.CancelAsync(id, user, cancellationToken);
        return error switch
        {
            null => TypedResults.NoContent(),
            "This run does not exist." => TypedResults.Problem(statusCode: 404, title: "Not found", detail: error),
            _ => TypedResults.Problem(statusCode: 409, title: "Conflict", detail: error),
        };
    }

    private static string JsonName(string field) => field switch
    {
        nameof(BaselineRunInput.TaskId) => "task",
        nameof(BaselineRunInput.TrainFileId) => "trainFile",
        nameof(BaselineRunInput.TestFileId) => "testFile",
        nameof(BaselineRunInput.UnlabelledFileId) => "unlabelledFile",
        "" => "",
        _ => char.ToLowerInvariant(field[0]) + field[1..],
    };
}
