using System.Globalization;
using System.Net;
using System.Text;
using Challenge.Core.Data;
using Challenge.Core.Teams;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Web.Tests.Hostile;

// One running challenge shared by the corpus cases (they run one after another); each case that
// uploads gets a participant of its own, so no case spends another's rate limit or quota.
public sealed class HostileSite : IAsyncLifetime
{
    private int _participants;

    public CompetitionSite Site { get; private set; } = default!;

    // An organizer of a draft challenge of their own, with the id of its one data file; made once.
    public (CompetitionSite.Participant Organizer, int FileId)? Rival { get; set; }

    public async Task InitializeAsync() => Site = await CompetitionSite.StartAsync(dailyLimit: 1000);

    public async Task DisposeAsync() => await Site.DisposeAsync();

    public async Task<CompetitionSite.Participant> NewParticipantAsync(string? teamName = null)
    {
        var number = Interlocked.Increment(ref _participants);
        var participant = await Site.AccountAsync($"hostile{number:D3}");
        var teams = Site.Get<TeamService>();
        await teams.AcceptRulesAsync(Site.Challenge.Id, participant.UserId);
        var team = await teams.CreateAsync(Site.Challenge.Id, participant.UserId, teamName ?? $"Team {number:D3}");
        Assert.True(team.Succeeded, team.Error);
        return participant with { TeamId = team.Team!.Id };
    }

    public async Task AssertHealthyAsync()
    {
        var health = await Site.Factory.CreateClient().GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Healthy", await health.Content.ReadAsStringAsync());
    }

    public async Task<StoredState> CaptureAsync()
    {
        await using var db = await Site.Get<IDbContextFactory<ChallengeDbContext>>().CreateDbContextAsync();
        var rows = new SortedDictionary<string, int>(StringComparer.Ordinal)
        {
            ["Competitions"] = await db.Competitions.CountAsync(),
            ["Tasks"] = await db.Tasks.CountAsync(),
            ["StoredFiles"] = await db.StoredFiles.CountAsync(),
            ["DataFiles"] = await db.DataFiles.CountAsync(),
            ["Teams"] = await db.Teams.CountAsync(),
            ["TeamMembers"] = await db.TeamMembers.CountAsync(),
            ["Participations"] = await db.Participations.CountAsync(),
            ["Submissions"] = await db.Submissions.CountAsync(),
            // A refunded quota leaves its row at zero, which is the same as no row.
            ["DailyQuotas"] = await db.DailyQuotas.CountAsync(q => q.Used > 0),
            ["ApiTokens"] = await db.ApiTokens.CountAsync(),
            ["Users"] = await db.Users.CountAsync(),
            ["AuditLog"] = await db.AuditLog.CountAsync(),
        };
        var submissions = (await db.Submissions.AsNoTracking().OrderBy(s => s.Id).ToListAsync())
            .ToDictionary(s => s.Id, s => string.Create(CultureInfo.InvariantCulture, $"{s.Status} {s.PublicScore} {s.PrivateScore} {s.CountsAgainstQuota} {s.FileName} {s.Description}"));
        var quotas = string.Join("; ", (await db.DailyQuotas.AsNoTracking().Where(q => q.Used > 0).ToListAsync()).OrderBy(q => (q.TeamId, q.TaskId, q.Day)).Select(q => $"{q.TeamId}/{q.TaskId}/{q.Day}={q.Used}"));
        var tasks = string.Join("; ", (await db.Tasks.AsNoTracking().OrderBy(t => t.Id).ToListAsync()).Select(t => $"{t.Id}:{t.SolutionVersion}:{t.SolutionFileId}"));
        var dataFiles = string.Join("; ", (await db.DataFiles.AsNoTracking().OrderBy(f => f.Id).ToListAsync()).Select(f => $"{f.Id}:{f.FileName}:{f.StoredFileId}"));
        var users = string.Join("; ", (await db.Users.AsNoTracking().OrderBy(u => u.Id).ToListAsync()).Select(u => $"{u.Email}:{u.AccessFailedCount}:{u.LockoutEnd}:{u.PasswordHash}:{u.SecurityStamp}"));
        var root = Site.Factory.DataDirectory;
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(f => !f.StartsWith("challenge.db", StringComparison.Ordinal) && !f.StartsWith("keys/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToList();
        return new StoredState(rows, submissions, quotas, tasks, dataFiles, users, files);
    }
}

// What a case may not change: row counts, every submission's status, scores and quota flag, the
// quotas, the tasks' solutions, the data files, the accounts' lockout and credentials, and the
// files in the data folder.
public sealed record StoredState(
    IReadOnlyDictionary<string, int> Rows,
    IReadOnlyDictionary<long, string> Submissions,
    string Quotas,
    string Tasks,
    string DataFiles,
    string Users,
    IReadOnlyList<string> Files)
{
    public void AssertSameAs(StoredState before)
    {
        Assert.Equal(Describe(before.Rows), Describe(Rows));
        Assert.Equal(before.Submissions, Submissions);
        Assert.Equal(before.Quotas, Quotas);
        Assert.Equal(before.Tasks, Tasks);
        Assert.Equal(before.DataFiles, DataFiles);
        Assert.Equal(before.Users, Users);
        Assert.Equal(before.Files, Files);
    }

    // A submission is scored after it is stored, so a rejected file is kept in the history (with
    // its errors) by design; nothing else may change, the quota included: rejected files are refunded.
    public void AssertOnlyRejectedSubmissionAdded(StoredState before, long id)
    {
        var expectedRows = before.Rows.ToDictionary(r => r.Key, r => r.Value);
        expectedRows["Submissions"]++;
        expectedRows["StoredFiles"]++;
        Assert.Equal(Describe(expectedRows), Describe(Rows));
        Assert.StartsWith("Rejected ", Submissions[id], StringComparison.Ordinal);
        Assert.Contains(" False ", Submissions[id], StringComparison.Ordinal);
        Assert.Equal(before.Submissions, Submissions.Where(s => s.Key != id).ToDictionary());
        Assert.Equal(before.Quotas, Quotas);
        Assert.Equal(before.Tasks, Tasks);
        Assert.Equal(before.DataFiles, DataFiles);
        Assert.Equal(before.Users, Users);
        var added = Assert.Single(Files.Except(before.Files));
        Assert.StartsWith("files/submissions/", added, StringComparison.Ordinal);
        Assert.Empty(before.Files.Except(Files));
    }

    private static string Describe(IReadOnlyDictionary<string, int> rows) =>
        new StringBuilder().AppendJoin(", ", rows.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key}={r.Value}")).ToString();
}
