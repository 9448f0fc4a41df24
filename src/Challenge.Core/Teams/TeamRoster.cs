using System.Security.Claims;
using Challenge.Core.Access;
using Challenge.Core.Challenges;
using Challenge.Core.Data;
using Challenge.Core.Outcomes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Teams;

public sealed record TeamRosterRow(int Id, string Name, bool IsBaseline, int Members, int Submissions, DateTime? DisqualifiedAtUtc, string? DisqualificationReason);

/// <summary>The organizers' list of a challenge's teams, with every submission counted in the database, one page at a time.</summary>
public sealed class TeamRoster(IDbContextFactory<ChallengeDbContext> dbFactory, IAuthorizationService authorization)
{
    public async Task<Outcome<PageOf<TeamRosterRow>>> ListAsync(Competition challenge, PageRequest page, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        if (await authorization.RefusalAsync<PageOf<TeamRosterRow>>(user, challenge, AccessRules.ManageChallenge) is { } refused)
        {
            return refused;
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var teams = db.Teams.AsNoTracking().Where(t => t.CompetitionId == challenge.Id);
        // Sorted on the entity, before the projection: a query sorted on a constructed row cannot be translated.
        teams = (page.SortBy, page.Descending) switch
        {
            (nameof(TeamRosterRow.Submissions), false) => teams.OrderBy(t => db.Submissions.Count(s => s.TeamId == t.Id)).ThenBy(t => t.Name),
            (nameof(TeamRosterRow.Submissions), true) => teams.OrderByDescending(t => db.Submissions.Count(s => s.TeamId == t.Id)).ThenBy(t => t.Name),
            (nameof(TeamRosterRow.Members), false) => teams.OrderBy(t => t.Members.Count).ThenBy(t => t.Name),
            (nameof(TeamRosterRow.Members), true) => teams.OrderByDescending(t => t.Members.Count).ThenBy(t => t.Name),
            (_, true) => teams.OrderByDescending(t => t.Name),
            _ => teams.OrderBy(t => t.Name),
        };
        var rows = teams.Skip(page.Skip).Take(page.Take).Select(t => new TeamRosterRow(
            t.Id, t.Name, t.IsBaseline, t.Members.Count, db.Submissions.Count(s => s.TeamId == t.Id), t.DisqualifiedAtUtc, t.DisqualificationReason));
        var total = await db.Teams.CountAsync(t => t.CompetitionId == challenge.Id, cancellationToken);
        return new PageOf<TeamRosterRow>(await rows.ToListAsync(cancellationToken), total);
    }
}
