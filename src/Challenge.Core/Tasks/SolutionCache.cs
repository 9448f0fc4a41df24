using System.Collections.Concurrent;
using Challenge.Core.Data;
using Challenge.Core.Files;
using Challenge.Scoring;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Tasks;

// Parsing a 185,000-row solution for every submission would dominate scoring time, so each task's
// solution is read once per version and shared (Solution is immutable and thread-safe).
public sealed class SolutionCache(IFileStore files, IDbContextFactory<ChallengeDbContext> dbFactory)
{
    private readonly ConcurrentDictionary<int, (int Version, Lazy<Task<Solution>> Solution)> _byTask = new();

    public async Task<Solution> GetAsync(CompetitionTask task, CancellationToken cancellationToken = default)
    {
        if (task.SolutionFileId is null)
        {
            throw new InvalidOperationException($"Task '{task.Slug}' has no solution yet.");
        }
        var entry = _byTask.AddOrUpdate(task.Id,
            _ => (task.SolutionVersion, new Lazy<Task<Solution>>(() => LoadAsync(task))),
            (_, existing) => existing.Version == task.SolutionVersion ? existing : (task.SolutionVersion, new Lazy<Task<Solution>>(() => LoadAsync(task))));
        return await entry.Solution.Value.WaitAsync(cancellationToken);
    }

    internal void Put(CompetitionTask task, Solution solution) =>
        _byTask[task.Id] = (task.SolutionVersion, new Lazy<Task<Solution>>(Task.FromResult(solution)));

    private async Task<Solution> LoadAsync(CompetitionTask task)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var file = await db.StoredFiles.AsNoTracking().SingleAsync(f => f.Id == task.SolutionFileId);
        await using var stream = files.OpenRead(file.StorageKey);
        var outcome = Solution.Load(stream, task.ToDefinition() with { MaxFileBytes = TaskService.MaxSolutionBytes });
        return outcome.Value ?? throw new InvalidOperationException(
            $"The stored solution of task '{task.Slug}' no longer validates: {outcome.Report.Errors.FirstOrDefault()?.Message}");
    }
}
