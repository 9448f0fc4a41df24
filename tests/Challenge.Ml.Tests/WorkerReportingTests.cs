using System.Collections.Concurrent;
using System.Globalization;
using Challenge.Ml.Training;
using Challenge.Worker.Commands;
using Challenge.Worker.Server;

namespace Challenge.Ml.Tests;

// What the worker sends: the probability file of a probability task, and progress within an epoch.
public class WorkerReportingTests : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Probabilities_are_written_in_the_tasks_class_columns_and_a_class_the_model_never_saw_gets_zero()
    {
        var path = _files.PathOf("probabilities.csv");
        // Two images, three trained classes (kelp, reef, sand); the task also has "mud" and lists another order.
        float[] probabilities = [0.7f, 0.2f, 0.1f, 0.1f, 0.1f, 0.8f];

        PredictionWriter.WriteProbabilities(path, probabilities, 3, ["kelp", "reef", "sand"], ["sand", "mud", "kelp", "reef"], "image_id");

        var lines = File.ReadAllLines(path);
        Assert.Equal("image_id,sand,mud,kelp,reef", lines[0]);
        var first = lines[1].Split(',').Skip(1).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal([0.1, 0, 0.7, 0.2], first, new ToleranceComparer(1e-6));
        Assert.StartsWith("1,", lines[2]);
        Assert.Equal(3, lines.Length);
    }

    [Fact]
    public void Label_numbers_name_the_classes_when_the_data_has_no_names_and_rows_are_rescaled_over_the_tasks_classes()
    {
        var path = _files.PathOf("numbers.csv");
        // The task knows classes 0 and 2 only: class 1's mass is dropped and the row rescaled.
        PredictionWriter.WriteProbabilities(path, [0.25f, 0.5f, 0.25f], 3, null, ["0", "2"]);

        var values = File.ReadAllLines(path)[1].Split(',').Skip(1).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal([0.5, 0.5], values, new ToleranceComparer(1e-6));
    }

    [Fact]
    public void A_task_sharing_no_class_with_the_training_data_is_refused_naming_both()
    {
        var error = Assert.Throws<InvalidDataException>(() =>
            PredictionWriter.WriteProbabilities(_files.PathOf("none.csv"), [1f, 0f], 2, ["kelp", "reef"], ["Forest", "River"]));
        Assert.Contains("kelp", error.Message);
        Assert.Contains("Forest", error.Message);
    }

    // Progress reported by the training thread reaches the server within seconds, long before
    // the lease's heartbeat (an hour here), so the organizer's bar moves within an epoch.
    [Fact]
    public async Task Progress_reaches_the_server_without_waiting_for_the_heartbeat()
    {
        var server = new RecordingServer();
        var lease = new Lease(1, "lease", 14_400, 3_600, "c", "t", "Id", "Category", "cnn", 5, "cpu", 0, 1, []);
        using var training = new CancellationTokenSource();
        var reporter = new RunReporter(server, lease, TextWriter.Null, training);
        using var stop = new CancellationTokenSource();
        var loop = reporter.HeartbeatLoopAsync(stop.Token);

        reporter.Report(new TrainingProgress("cnn", 1, 5, 10, 100, 1.5, null, 500, TimeSpan.FromMinutes(3), "cpu"));
        var arrived = await server.FirstProgress.Task.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(10, arrived.Batch);
        await stop.CancelAsync();
        await loop;
    }

    private sealed class RecordingServer : IRunServer
    {
        public TaskCompletionSource<ProgressEntry> FirstProgress { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentQueue<ReportRequest> Reports { get; } = new();

        public Task<ReportResponse> ReportAsync(Lease lease, ReportRequest report, CancellationToken cancellationToken)
        {
            Reports.Enqueue(report);
            if (report.Progress.Count > 0)
            {
                FirstProgress.TrySetResult(report.Progress[0]);
            }
            return Task.FromResult(new ReportResponse(false, null));
        }

        public Task<Lease?> LeaseAsync(bool cuda, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task DownloadAsync(Lease lease, LeaseFile file, string path, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<PredictionsAccepted> UploadPredictionsAsync(Lease lease, string path, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task FailAsync(Lease lease, FailRequest failure, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task ReleaseAsync(Lease lease, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
