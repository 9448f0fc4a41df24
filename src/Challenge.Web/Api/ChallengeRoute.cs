using Challenge.Core.Access;
using Challenge.Core.Challenges;
using Microsoft.AspNetCore.Authorization;
using Challenge.Core.Tasks;

namespace Challenge.Web.Api;

/// <summary>
/// The challenge named by a route's <c>{slug}</c> (as its reader may see it) and the task named by
/// its <c>{task}</c>, resolved once by the group's filter: a handler that takes this parameter
/// receives it resolved, and an unknown challenge or task answers 404 before the handler runs.
/// </summary>
internal sealed class ChallengeRoute
{
    private ChallengeRoute(Competition challenge, IReadOnlyList<CompetitionTask> tasks, CompetitionTask? task)
    {
        Challenge = challenge;
        Tasks = tasks;
        Task = task;
    }

    public Competition Challenge { get; }
    public IReadOnlyList<CompetitionTask> Tasks { get; }
    /// <summary>The route's <c>{task}</c>; null on routes that name none.</summary>
    public CompetitionTask? Task { get; }

    // Binding runs before the filters; the filter swaps this placeholder for the resolved route.
    private static readonly ChallengeRoute Unresolved = new(null!, [], null);

    public static ValueTask<ChallengeRoute?> BindAsync(HttpContext context) => ValueTask.FromResult<ChallengeRoute?>(Unresolved);

    internal static async Task<(ChallengeRoute? Route, IResult? Problem)> ResolveAsync(HttpContext http)
    {
        var slug = http.GetRouteValue("slug") as string ?? "";
        var challenge = await http.RequestServices.GetRequiredService<CompetitionService>().FindVisibleAsync(slug, http.User, http.RequestAborted);
        if (challenge is null)
        {
            return (null, TypedResults.Problem(statusCode: 404, title: "Not found", detail: $"No challenge '{slug}'."));
        }
        var tasks = await http.RequestServices.GetRequiredService<TaskService>().ListAsync(challenge.Id, http.RequestAborted);
        CompetitionTask? task = null;
        if (http.GetRouteValue("task") is string taskSlug)
        {
            task = tasks.FirstOrDefault(t => t.Slug == taskSlug);
            if (task is null)
            {
                return (null, TypedResults.Problem(statusCode: 404, title: "Not found", detail: $"No task '{taskSlug}' in challenge '{slug}'."));
            }
        }
        return (new ChallengeRoute(challenge, tasks, task), null);
    }
}

internal static class ChallengeRouteGroups
{
    /// <summary>Refusal of the organizers' routes: a challenge one does not manage answers like a missing one.</summary>
    public static IResult NotManaged(string slug) => ApiProblems.NotFound($"No challenge '{slug}' that you manage.");

    /// <summary>
    /// A group under <c>{prefix}/challenges/{slug}</c> whose endpoints receive their <see cref="ChallengeRoute"/>
    /// resolved (see <see cref="WithChallengeRoute"/>).
    /// </summary>
    public static RouteGroupBuilder MapChallengeGroup(this IEndpointRouteBuilder endpoints, string prefix = "", AccessRule? rule = null, Func<string, IResult>? refused = null) =>
        endpoints.MapGroup(prefix + "/challenges/{slug}").WithChallengeRoute(rule, refused);

    /// <summary>
    /// Resolves the <see cref="ChallengeRoute"/> parameter of each endpoint once, before it runs; with a
    /// <paramref name="rule"/>, only those who pass it reach the endpoint, and the others get
    /// <paramref name="refused"/> (given the slug).
    /// </summary>
    public static TBuilder WithChallengeRoute<TBuilder>(this TBuilder builder, AccessRule? rule = null, Func<string, IResult>? refused = null)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilterFactory((factory, next) =>
        {
            var index = Array.FindIndex(factory.MethodInfo.GetParameters(), p => p.ParameterType == typeof(ChallengeRoute));
            if (index < 0)
            {
                return next;
            }
            return async invocation =>
            {
                var (route, problem) = await ChallengeRoute.ResolveAsync(invocation.HttpContext);
                if (route is null)
                {
                    return problem;
                }
                var http = invocation.HttpContext;
                if (rule is not null && !await http.RequestServices.GetRequiredService<IAuthorizationService>().AllowsAsync(http.User, route.Challenge, rule))
                {
                    return refused?.Invoke(route.Challenge.Slug) ?? ApiProblems.Forbidden($"You may not {rule}.");
                }
                invocation.Arguments[index] = route;
                return await next(invocation);
            };
        });
}
