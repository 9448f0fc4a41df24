using System.Collections.Concurrent;
using System.Diagnostics;
using Challenge.Core.Access;
using Challenge.Core.Challenges;
using Challenge.Core.Leaderboards;
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

    internal static async Task<(ChallengeRoute? Route, IResult? Problem)> ResolveAsync(HttpContext http, bool cached = false)
    {
        var slug = http.GetRouteValue("slug") as string ?? "";
        // The private board's rule reads the challenge's dates and reveal: always fresh.
        var cache = cached && !string.Equals(http.Request.Query["kind"], "private", StringComparison.OrdinalIgnoreCase)
            ? http.RequestServices.GetRequiredService<PublishedChallengeCache>()
            : null;
        Competition? challenge;
        IReadOnlyList<CompetitionTask> tasks;
        if (cache?.Find(slug) is { } hit)
        {
            (challenge, tasks) = hit;
        }
        else
        {
            challenge = await http.RequestServices.GetRequiredService<CompetitionService>().FindVisibleAsync(slug, http.User, http.RequestAborted);
            if (challenge is null)
            {
                return (null, TypedResults.Problem(statusCode: 404, title: "Not found", detail: $"No challenge '{slug}'."));
            }
            tasks = await http.RequestServices.GetRequiredService<TaskService>().ListAsync(challenge.Id, http.RequestAborted);
            cache?.Remember(slug, challenge, tasks);
        }
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

/// <summary>
/// Marks an endpoint under a challenge group whose <see cref="ChallengeRoute"/> may come from
/// <see cref="PublishedChallengeCache"/>: public reads polled by many clients, such as the board's JSON.
/// </summary>
internal sealed class CachedChallengeRoute
{
    public static readonly CachedChallengeRoute Instance = new();
}

/// <summary>
/// Published challenges with their tasks, as the challenge route resolves them, kept for
/// <see cref="MaxAge"/>: thousands of clients polling the board's JSON each second would otherwise
/// read the challenge and its task list from the database on every poll. Only published challenges
/// are kept (every reader may see them, so the entry does not depend on who asks), and only for the
/// public board (the private board's rule reads the challenge's dates and reveal fresh). A leaderboard
/// change that names no team (a reveal, a rescore of the task, a disqualification) drops every
/// entry; any other edit shows within <see cref="MaxAge"/>.
/// </summary>
internal sealed class PublishedChallengeCache
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, (long At, Competition Challenge, IReadOnlyList<CompetitionTask> Tasks)> _entries = new(StringComparer.Ordinal);

    public PublishedChallengeCache(ILeaderboardNotifier notifier) =>
        notifier.Changed += change =>
        {
            if (change.TeamId is null)
            {
                _entries.Clear();
            }
        };

    public (Competition Challenge, IReadOnlyList<CompetitionTask> Tasks)? Find(string slug) =>
        _entries.TryGetValue(slug, out var entry) && Stopwatch.GetElapsedTime(entry.At) < MaxAge ? (entry.Challenge, entry.Tasks) : null;

    public void Remember(string slug, Competition challenge, IReadOnlyList<CompetitionTask> tasks)
    {
        if (challenge.IsPublished)
        {
            _entries[slug] = (Stopwatch.GetTimestamp(), challenge, tasks);
        }
    }

    public void Clear() => _entries.Clear();
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
                // Only endpoints without an access rule of their own: a cached challenge is one everybody may read.
                var cached = rule is null && invocation.HttpContext.GetEndpoint()?.Metadata.GetMetadata<CachedChallengeRoute>() is not null;
                var (route, problem) = await ChallengeRoute.ResolveAsync(invocation.HttpContext, cached);
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
