using System.Security.Claims;
using Challenge.Core.Access;
using Challenge.Core.Audit;
using Challenge.Core.Outcomes;
using Microsoft.AspNetCore.Authorization;
using Challenge.Core.Challenges;
using Challenge.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Core.Files;

public sealed class DataFileService(IDbContextFactory<ChallengeDbContext> dbFactory, IFileStore files, TimeProvider clock, IAuthorizationService authorization)
{
    public const long MaxDataFileBytes = 64L << 30;

    /// <summary>The challenge's data files by name, for those who may download them.</summary>
    public async Task<Outcome<IReadOnlyList<DataFile>>> ListAsync(Competition challenge, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        if (!await authorization.AllowsAsync(user, challenge, AccessRules.DownloadData))
        {
            return Outcome<IReadOnlyList<DataFile>>.Forbidden("Accept the challenge's rules to download its data.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.DataFiles.AsNoTracking().Include(f => f.StoredFile)
            .Where(f => f.CompetitionId == challenge.Id).OrderBy(f => f.FileName).ToListAsync(cancellationToken);
    }

    // Uploading a file under an existing name replaces it, as organizers expect when fixing data.
    public async Task<(DataFile? File, string? Error)> UploadAsync(int competitionId, Stream content, string fileName, string description, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        var name = Path.GetFileName(fileName.Replace('\\', '/')).Trim();
        if (name.Length is 0 or > 200 || name.StartsWith('.'))
        {
            return (null, "Give the file a name of 1 to 200 characters that does not start with a dot.");
        }
        if (FileNames.HasInvisible(name))
        {
            return (null, "The file name contains invisible or control characters (a line break, tab or text-direction mark); rename the file.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var competition = await db.Competitions.SingleOrDefaultAsync(c => c.Id == competitionId, cancellationToken);
        if (competition is null || !await authorization.AllowsAsync(user, competition, AccessRules.ManageChallenge))
        {
            return (null, "This challenge does not exist or you may not manage it.");
        }

        StoredContent stored;
        try
        {
            stored = await files.SaveAsync(content, "data", MaxDataFileBytes, cancellationToken);
        }
        catch (FileTooLargeException tooLarge)
        {
            return (null, tooLarge.Message);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var storedFile = new StoredFile { StorageKey = stored.StorageKey, OriginalName = name, Length = stored.Length, Sha256 = stored.Sha256, CreatedAtUtc = now };
        var existing = await db.DataFiles.SingleOrDefaultAsync(f => f.CompetitionId == competitionId && f.FileName == name, cancellationToken);
        if (existing is null)
        {
            existing = new DataFile { CompetitionId = competitionId, FileName = name, CreatedAtUtc = now };
            db.DataFiles.Add(existing);
        }
        existing.StoredFile = storedFile;
        existing.Description = description.Trim();
        db.Audit(competitionId, user.UserId(), "data.uploaded", $"{name}: {stored.Length:N0} bytes, sha256 {stored.Sha256[..12]}", now);
        await db.SaveChangesAsync(cancellationToken);
        return (existing, null);
    }

    public async Task<bool> DeleteAsync(int competitionId, int dataFileId, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var competition = await db.Competitions.SingleAsync(c => c.Id == competitionId, cancellationToken);
        var file = await db.DataFiles.SingleOrDefaultAsync(f => f.Id == dataFileId && f.CompetitionId == competitionId, cancellationToken);
        if (file is null || !await authorization.AllowsAsync(user, competition, AccessRules.ManageChallenge))
        {
            return false;
        }
        db.DataFiles.Remove(file);
        db.Audit(competitionId, user.UserId(), "data.deleted", file.FileName, clock.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }
}
