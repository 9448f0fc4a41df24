using System.Security.Claims;
using Challenge.Core.Access;
using Challenge.Core.Challenges;
using Challenge.Core.Data;
using Challenge.Core.Outcomes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Submissions;

public sealed record LedgerRow(
    long Id, int TaskId, string TaskSlug, int TeamId, string Team, DateTime CreatedAtUtc, SubmissionStatus Status,
    double? PublicScore, double? PrivateScore, string? ScorerVersion, int SolutionVersion, bool IsHidden, string? FailureMessage,
    string? RejectionReason = null, int ErrorCount = 0, string? HiddenReason = null);

/// <summary>Every submission of a challenge, for its organizers: counted and paged in the database, newest first unless sorted otherwise.</summary>
public sealed class SubmissionLedger(IDbContextFactory<ChallengeDbContext> dbFactory, IAuthorizationService authorization)
{
    public async Task<Outcome<PageOf<LedgerRow>>> ListAsync(Competition challenge, PageRequest page, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        if (await authorization.RefusalAsync<PageOf<LedgerRow>>(user, challenge, AccessRules.ManageChallenge) is { } refused)
        {
            return refused;
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var submissions = db.Submissions.AsNoTracking().Where(s => s.CompetitionId == challenge.Id);
        submissions = (page.SortBy, page.Descending) switch
        {
            (nameof(LedgerRow.PublicScore), false) => submissions.OrderBy(s => s.PublicScore).ThenByDescending(s => s.Id),
            (nameof(LedgerRow.PublicScore), true) => submissions.OrderByDescending(s => s.PublicScore).ThenByDescending(s => s.Id),
            (nameof(LedgerRow.Status), false) => submissions.OrderBy(s => s.Status).ThenByDescending(s => s.Id),
            (nameof(LedgerRow.Status), true) => submissions.OrderByDescending(s => s.Status).ThenByDescending(s => s.Id),
            (nameof(LedgerRow.Id), false) or (nameof(LedgerRow.CreatedAtUtc), false) => submissions.OrderBy(s => s.Id),
            _ => submissions.OrderByDescending(s => s.Id),
        };
        var read = await submissions.Skip(page.Skip).Take(page.Take)
            .Select(s => new
            {
                Row = new LedgerRow(
                    s.Id, s.TaskId, db.Tasks.Where(t => t.Id == s.TaskId).Select(t => t.Slug).Single(), s.TeamId,
                    db.Teams.Where(t => t.Id == s.TeamId).Select(t => t.Name).Single(), s.CreatedAtUtc, s.Status,
                    s.PublicScore, s.PrivateScore, s.ScorerVersion, s.SolutionVersion, s.IsHidden, s.FailureMessage, null, s.ErrorCount, s.HiddenReason),
                s.ErrorsJson,
            })
            .ToListAsync(cancellationToken);
        // The first problem of a refused file, as its team saw it, so organizers need not open the database.
        var rows = read.Select(r => r.ErrorsJson is null ? r.Row : r.Row with { RejectionReason = FirstProblem(r.ErrorsJson) }).ToList();
        var total = await db.Submissions.CountAsync(s => s.CompetitionId == challenge.Id, cancellationToken);
        return new PageOf<LedgerRow>(rows, total);
    }

    private static string? FirstProblem(string errorsJson)
    {
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<List<Challenge.Scoring.Validation.ValidationError>>(errorsJson, SubmissionScorer.Json)?.FirstOrDefault()?.Describe();
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
