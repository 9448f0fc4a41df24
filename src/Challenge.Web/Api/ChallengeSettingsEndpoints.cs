using System.Security.Claims;
using Challenge.Core.Access;
using Challenge.Core.Challenges;
using Challenge.Core.Outcomes;
using Challenge.Core.Tasks;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Challenge.Web.Api;

// What an organizer does on the challenge's settings and tasks pages, for scripts: the same Core
// services, the same checks and the same messages. Writes take a token only (no cookie, so no
// cross-site form can reach them).
internal static class ChallengeSettingsEndpoints
{
    public static RouteGroupBuilder MapChallengeSettingsEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/challenges", CreateAsync).RequireAuthorization(ApiAuthorization.TokenOnly).DisableAntiforgery()
            .WithName("CreateChallenge").WithSummary("Create a challenge (organizers and admins): slug, title, dates, limits, pages; it starts as a draft unless published is true.");
        var managed = api.MapChallengeGroup(rule: AccessRules.ManageChallenge, refused: ChallengeRouteGroups.NotManaged);
        managed.MapGet("/settings", (ChallengeRoute route) => TypedResults.Ok(ChallengeSettings.From(route.Challenge)))
            .RequireAuthorization(ApiAuthorization.TokenOrCookie).WithName("GetChallengeSettings").WithSummary("Every setting of a challenge one manages: dates, limits, pages, published.");
        api.MapPatch("/challenges/{slug}", UpdateAsync).WithChallengeRoute(AccessRules.ManageChallenge, ChallengeRouteGroups.NotManaged).RequireAuthorization(ApiAuthorization.TokenOnly).DisableAntiforgery()
            .WithName("UpdateChallenge").WithSummary("Change the settings given (the others stay): slug, title, dates, limits, pages, published.");
        managed.MapPost("/publish", PublishAsync)
            .RequireAuthorization(ApiAuthorization.TokenOnly).DisableAntiforgery().WithName("PublishChallenge").WithSummary("Publish a draft: its pages, leaderboard and data list become visible (PATCH published=false takes it back).");
        managed.MapPost("/reveal", RevealAsync).RequireAuthorization(ApiAuthorization.TokenOnly).DisableAntiforgery()
            .WithName("RevealPrivateLeaderboard").WithSummary("Reveal the private leaderboard now; only after the end (409 before it).");
        managed.MapPost("/tasks", (ChallengeRoute route, TaskSettings settings, ClaimsPrincipal user, TaskService tasks, CancellationToken ct) => SaveTaskAsync(route, null, settings, user, tasks, ct))
            .RequireAuthorization(ApiAuthorization.TokenOnly).DisableAntiforgery()
            .WithName("CreateTask").WithSummary("Add a task: slug, title, family, kind, metric, columns, public share, seed, class weights, ranking formula, the Ladder (off, margin, parameter_free), options of the kind.");
        managed.MapGet("/tasks/{task}/settings", (ChallengeRoute route) => TypedResults.Ok(TaskSettings.From(route.Task!)))
            .RequireAuthorization(ApiAuthorization.TokenOrCookie).WithName("GetTaskSettings").WithSummary("Every setting of a task of a challenge one manages.");
        managed.MapPatch("/tasks/{task}", (ChallengeRoute route, TaskSettings settings, ClaimsPrincipal user, TaskService tasks, CancellationToken ct) => SaveTaskAsync(route, route.Task, settings, user, tasks, ct))
            .RequireAuthorization(ApiAuthorization.TokenOnly).DisableAntiforgery()
            .WithName("UpdateTask").WithSummary("Change the task settings given (the others stay); a change to how the solution is read re-scores its submissions.");
        return api;
    }

    private static async Task<Results<Created<ChallengeSettings>, ProblemHttpResult>> CreateAsync(ChallengeSettings settings, ClaimsPrincipal user, CompetitionService challenges, CancellationToken cancellationToken)
    {
        if (!CompetitionService.CanCreate(user))
        {
            return TypedResults.Problem(statusCode: 403, title: "Forbidden", detail: "Only organizers can create challenges; an admin grants the role.");
        }
        var input = new CompetitionInput();
        settings.ApplyTo(input);
        var saved = await challenges.CreateAsync(input, user, cancellationToken);
        return saved.Saved is { } challenge
            ? TypedResults.Created($"/api/challenges/{challenge.Slug}", ChallengeSettings.From(challenge))
            : Invalid<ChallengeSettings>(saved.Errors, ChallengeSettings.FieldName);
    }

    private static async Task<Results<Ok<ChallengeSettings>, ProblemHttpResult>> UpdateAsync(ChallengeRoute route, ChallengeSettings settings, ClaimsPrincipal user, CompetitionService challenges, CancellationToken cancellationToken)
    {
        var input = CompetitionInput.From(route.Challenge);
        settings.ApplyTo(input);
        var saved = await challenges.UpdateAsync(route.Challenge.Id, input, user, cancellationToken);
        return saved.Saved is { } challenge ? TypedResults.Ok(ChallengeSettings.From(challenge)) : Invalid<ChallengeSettings>(saved.Errors, ChallengeSettings.FieldName);
    }

    // As on the editor, a challenge may be published before it is complete (a teaser); the answer
    // lists the checklist so that a script sees what is still missing.
    private static async Task<Results<Ok<PublishedDto>, ProblemHttpResult>> PublishAsync(ChallengeRoute route, ClaimsPrincipal user, CompetitionService challenges, PublishChecklist checklist, CancellationToken cancellationToken)
    {
        var outcome = await challenges.SetPublishedAsync(route.Challenge.Id, true, user, cancellationToken);
        if (outcome.Value is not { } challenge)
        {
            return outcome.ToProblem();
        }
        var items = await checklist.ForAsync(challenge.Id, CompetitionInput.From(challenge), cancellationToken);
        return TypedResults.Ok(new PublishedDto(ChallengeSettings.From(challenge), items));
    }

    private static async Task<Results<Ok<ChallengeSettings>, ProblemHttpResult>> RevealAsync(ChallengeRoute route, ClaimsPrincipal user, CompetitionService challenges, CancellationToken cancellationToken)
    {
        var outcome = await challenges.RevealAsync(route.Challenge.Id, user, cancellationToken);
        return outcome.Value is { } challenge ? TypedResults.Ok(ChallengeSettings.From(challenge)) : outcome.ToProblem();
    }

    private static async Task<Results<Ok<TaskSettings>, ProblemHttpResult>> SaveTaskAsync(ChallengeRoute route, CompetitionTask? existing, TaskSettings settings, ClaimsPrincipal user, TaskService tasks, CancellationToken cancellationToken)
    {
        var input = existing is null ? new TaskInput() : TaskInput.From(existing);
        var errors = settings.ApplyTo(input);
        if (errors.Count > 0)
        {
            return Invalid<TaskSettings>(errors, TaskSettings.FieldName);
        }
        var saved = await tasks.SaveAsync(route.Challenge.Id, existing?.Id, input, user, cancellationToken);
        return saved.Saved is { } task ? TypedResults.Ok(TaskSettings.From(task)) : Invalid<TaskSettings>(saved.Errors, TaskSettings.FieldName);
    }

    // Field errors under the API's own names (publicShare, pages.overview), not the form's.
    private static ProblemHttpResult Invalid<T>(IReadOnlyDictionary<string, string> errors, Func<string, string> name) =>
        Outcome<T>.Invalid(errors.ToDictionary(e => name(e.Key), e => e.Value)).ToProblem();
}

public sealed record PublishedDto(ChallengeSettings Challenge, IReadOnlyList<ChecklistItem> Checklist);
