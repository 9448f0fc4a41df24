using Challenge.Core.Outcomes;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Challenge.Web.Api;

/// <summary>The one mapping from a Core outcome that is not a value to an HTTP problem (RFC 9457).</summary>
internal static class OutcomeResults
{
    public static ProblemHttpResult ToProblem<T>(this Outcome<T> outcome) => outcome.Status switch
    {
        OutcomeStatus.NotFound => TypedResults.Problem(statusCode: 404, title: "Not found", detail: outcome.Message),
        OutcomeStatus.Forbidden => TypedResults.Problem(statusCode: 403, title: "Forbidden", detail: outcome.Message),
        OutcomeStatus.Conflict => TypedResults.Problem(statusCode: 409, title: "Conflict", detail: outcome.Message),
        OutcomeStatus.Invalid => TypedResults.Problem(statusCode: 400, title: "Invalid", detail: outcome.Message,
            extensions: new Dictionary<string, object?> { ["errors"] = outcome.Errors.ToDictionary(e => e.Key.Length == 0 ? "$" : e.Key, e => (object?)new[] { e.Value }) }),
        _ => throw new InvalidOperationException("An outcome with a value is not a problem."),
    };
}
