namespace Challenge.Worker.Server;

/// <summary>
/// The worker protocol as the work loop sees it: lease a run, download its files, report progress
/// (which keeps the lease and answers a cancellation), upload the predictions, fail or give the run
/// back. <see cref="ServerClient"/> speaks it over HTTP; a server that trains in its own process
/// speaks it to its queue directly. Refusals are <see cref="ServerException"/>s with the status the
/// HTTP protocol would answer (409 for a lost lease), so the loop treats both alike.
/// </summary>
public interface IRunServer
{
    /// <returns>The leased run, or null when the queue holds nothing for this worker.</returns>
    Task<Lease?> LeaseAsync(bool cuda, CancellationToken cancellationToken);

    Task DownloadAsync(Lease lease, LeaseFile file, string path, CancellationToken cancellationToken);

    Task<ReportResponse> ReportAsync(Lease lease, ReportRequest report, CancellationToken cancellationToken);

    Task<PredictionsAccepted> UploadPredictionsAsync(Lease lease, string path, CancellationToken cancellationToken);

    Task FailAsync(Lease lease, FailRequest failure, CancellationToken cancellationToken);

    Task ReleaseAsync(Lease lease, CancellationToken cancellationToken);
}
