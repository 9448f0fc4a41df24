using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Challenge.Core.Baselines;
using Challenge.Core.Data;
using Challenge.Core.Files;
using Challenge.Core.Submissions;
using Challenge.Core.Tasks;
using Challenge.Scoring;
using SkiaSharp;

namespace Challenge.Web.Tests.Baselines;

// The server trains queued runs itself (Baselines:EmbeddedWorker, on by default with SQLite), over
// the same lease protocol as an outside worker.
public sealed class EmbeddedWorkerTests
{
    [Fact]
    public async Task On_a_fresh_server_with_default_settings_a_queued_baseline_completes_with_no_outside_worker_and_its_row_is_on_the_board()
    {
        await using var site = await BaselineSite.StartAsync(trainCount: 600, testCount: 90, configure: f => f.EmbeddedWorker = true);
        var run = await site.QueueAsync("softmax", epochs: 10);

        var finished = await site.WaitForRunAsync(run.Id, r => !r.IsActive, TimeSpan.FromMinutes(4), "finished");
        Assert.True(finished.Status == BaselineRunStatus.Succeeded, $"{finished.Status}: {finished.Message}\n{finished.Log}");
        Assert.Contains($"leased by {BaselineQueue.EmbeddedWorkerName}", finished.Log);
        Assert.Null(finished.WorkerId);
        // Half the machine by default, so the site stays responsive while it trains.
        Assert.Equal($"cpu ({Math.Max(1, Environment.ProcessorCount / 2)} threads)", finished.DeviceUsed);
        Assert.True(BaselineQueue.ReadCurve(finished.LossCurveJson).Count >= 2, finished.LossCurveJson);

        var submission = await site.Site.WaitForScoringAsync(finished.SubmissionId!.Value);
        Assert.Equal(SubmissionStatus.Scored, submission.Status);
        using var anonymous = site.Factory.CreateClient();
        var board = await anonymous.GetFromJsonAsync<JsonElement>($"/api/challenges/{CompetitionSite.Slug}/leaderboard");
        var row = board.GetProperty("entries").EnumerateArray().Single(e => e.GetProperty("isBaseline").GetBoolean());
        Assert.Equal("Baseline: softmax", row.GetProperty("team").GetString());
        Assert.True(row.GetProperty("score").GetDouble() >= 0.8, $"score {row.GetProperty("score").GetDouble()}\n{finished.Log}");
    }

    // A log-loss task gets a probability file with the task's class columns, among them one the
    // training data never showed, and a baseline row.
    [Fact]
    public async Task A_probability_task_gets_a_baseline_row_with_one_column_per_class_of_the_task()
    {
        await using var site = await BaselineSite.StartAsync(trainCount: 600, testCount: 90, configure: f => f.EmbeddedWorker = true);
        var organizer = site.Site.Organizer.Principal;
        var tasks = site.Site.Get<TaskService>();
        var task = (await tasks.SaveAsync(site.Site.Challenge.Id, null, new TaskInput
        {
            Slug = "floor-odds", Title = "Floor odds", Kind = TaskKind.Probability, Metric = "log_loss", MaxSubmissionMegabytes = 1,
        }, organizer)).Saved!;
        var (_, testLabels) = BaselineSite.Images(90, 8, seed: 2);
        var solution = new StringBuilder("Id,Category,Usage\n");
        for (var i = 0; i < 90; i++)
        {
            // Class 3 is in the hidden rows but no training image has it.
            var label = i == 0 ? 3 : testLabels[i];
            solution.Append($"{i},{label},{(i % 2 == 0 ? "Public" : "Private")}\n");
        }
        var upload = await tasks.UploadSolutionAsync(task.Id, new MemoryStream(Encoding.UTF8.GetBytes(solution.ToString())), "solution.csv", organizer);
        Assert.True(upload.Accepted, string.Join("; ", upload.Report.Errors.Select(e => e.Message)));

        var (run, errors) = await site.Site.Get<BaselineService>().CreateAsync(site.Site.Challenge.Id, new BaselineRunInput
        {
            TaskId = task.Id, Model = "softmax", Epochs = 10, TrainFileId = site.TrainFileId, TestFileId = site.TestFileId,
        }, organizer);
        Assert.True(run is not null, string.Join("; ", errors.Values));

        var finished = await site.WaitForRunAsync(run!.Id, r => !r.IsActive, TimeSpan.FromMinutes(4), "finished");
        Assert.True(finished.Status == BaselineRunStatus.Succeeded, $"{finished.Status}: {finished.Message}\n{finished.Log}");
        var submission = await site.Site.WaitForScoringAsync(finished.SubmissionId!.Value);
        Assert.True(submission.Status == SubmissionStatus.Scored, submission.FailureMessage);
        using var anonymous = site.Factory.CreateClient();
        var board = await anonymous.GetFromJsonAsync<JsonElement>($"/api/challenges/{CompetitionSite.Slug}/leaderboard?task=floor-odds");
        var row = board.GetProperty("entries").EnumerateArray().Single(e => e.GetProperty("isBaseline").GetBoolean());
        Assert.Equal("Baseline: softmax", row.GetProperty("team").GetString());
        // Separable classes: far below the log loss of a uniform guess over four classes (1.386).
        Assert.True(row.GetProperty("score").GetDouble() < 1.0, $"log loss {row.GetProperty("score").GetDouble()}\n{finished.Log}");
    }

    // The photographs of the cases this product serves are JPEG: a zip of them (labels.csv beside
    // the training images, the test images in name order) trains like any other data set, and a
    // damaged photo fails the run with a message naming its entry.
    [Fact]
    public async Task A_zip_of_jpeg_images_trains_a_baseline_end_to_end_and_a_corrupt_jpeg_fails_its_run_naming_the_entry()
    {
        const int size = 12;
        await using var site = await BaselineSite.StartAsync(trainCount: 300, testCount: 60, size: size, configure: f => f.EmbeddedWorker = true);
        var files = site.Site.Get<DataFileService>();
        var organizer = site.Site.Organizer.Principal;
        var (trainPixels, trainLabels) = BaselineSite.Images(300, size, seed: 1);
        var (testPixels, _) = BaselineSite.Images(60, size, seed: 2);
        var trainZip = JpegZip(trainPixels, size, trainLabels, corrupt: null);
        var testZip = JpegZip(testPixels, size, labels: null, corrupt: null);
        var brokenZip = JpegZip(testPixels, size, labels: null, corrupt: 17);
        var trainId = (await files.UploadAsync(site.Site.Challenge.Id, new MemoryStream(trainZip), "dives-train.zip", "training photos", organizer)).File!.Id;
        var testId = (await files.UploadAsync(site.Site.Challenge.Id, new MemoryStream(testZip), "dives-test.zip", "test photos", organizer)).File!.Id;
        var brokenId = (await files.UploadAsync(site.Site.Challenge.Id, new MemoryStream(brokenZip), "dives-test-broken.zip", "test photos, one damaged", organizer)).File!.Id;

        async Task<BaselineRun> QueueAsync(int test)
        {
            var (run, errors) = await site.Site.Get<BaselineService>().CreateAsync(site.Site.Challenge.Id, new BaselineRunInput
            {
                TaskId = site.Site.Task.Id, Model = "softmax", Epochs = 15, TrainFileId = trainId, TestFileId = test,
            }, organizer);
            Assert.True(run is not null, string.Join("; ", errors.Values));
            return run!;
        }

        var good = await QueueAsync(testId);
        var finished = await site.WaitForRunAsync(good.Id, r => !r.IsActive, TimeSpan.FromMinutes(4), "finished");
        Assert.True(finished.Status == BaselineRunStatus.Succeeded, $"{finished.Status}: {finished.Message}\n{finished.Log}");
        Assert.Contains($"data: 300 training images (3 classes), 60 test images, {size}x{size}x1", finished.Log);
        var submission = await site.Site.WaitForScoringAsync(finished.SubmissionId!.Value);
        Assert.Equal(SubmissionStatus.Scored, submission.Status);
        Assert.True(submission.PublicScore >= 0.8, $"accuracy {submission.PublicScore}\n{finished.Log}");

        var broken = await QueueAsync(brokenId);
        var failed = await site.WaitForRunAsync(broken.Id, r => !r.IsActive, TimeSpan.FromMinutes(4), "finished");
        Assert.Equal(BaselineRunStatus.Failed, failed.Status);
        Assert.Contains("017.jpg", failed.Message);
        Assert.Contains("corrupt JPEG", failed.Message);
    }

    // Grey images as JPEG files 000.jpg, 001.jpg, ... in a zip, with a labels.csv when labels are
    // given; the entry numbered corrupt is cut short and overwritten.
    private static byte[] JpegZip(byte[] pixels, int size, byte[]? labels, int? corrupt)
    {
        var count = pixels.Length / (size * size);
        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            var csv = new StringBuilder("file,label\n");
            for (var i = 0; i < count; i++)
            {
                using var bitmap = new SKBitmap(new SKImageInfo(size, size, SKColorType.Gray8, SKAlphaType.Opaque));
                pixels.AsSpan(i * size * size, size * size).CopyTo(bitmap.GetPixelSpan());
                using var encoded = bitmap.Encode(SKEncodedImageFormat.Jpeg, 95);
                var bytes = encoded.ToArray();
                if (i == corrupt)
                {
                    bytes = bytes[..(bytes.Length / 2)];
                    bytes.AsSpan(bytes.Length - 20).Fill(0x55);
                }
                using (var entry = archive.CreateEntry($"dives/{i:000}.jpg").Open())
                {
                    entry.Write(bytes);
                }
                csv.Append($"{i:000}.jpg,{labels?[i]}\n");
            }
            if (labels is not null)
            {
                using var entry = archive.CreateEntry("dives/labels.csv").Open();
                entry.Write(Encoding.UTF8.GetBytes(csv.ToString()));
            }
        }
        return zip.ToArray();
    }
}

// The lease rules of the embedded worker on both database providers (the worker itself stays off:
// the test plays both workers).
public abstract class EmbeddedLeaseTests(string provider)
{
    // The embedded worker has no worker row: a run it holds is invisible to outside workers, and
    // a run an outside worker holds cannot be reported on by it, whatever lease id is named.
    [DatabaseFact]
    public async Task A_run_leased_by_the_embedded_worker_is_never_taken_by_an_outside_worker_nor_the_other_way_round()
    {
        await using var site = await BaselineSite.StartAsync(trainCount: 30, testCount: 10, provider: provider);
        var queue = site.Site.Get<BaselineQueue>();
        var first = await site.QueueAsync();
        var second = await site.QueueAsync();

        var embedded = await queue.LeaseAsync(null, hasCuda: false);
        Assert.Equal(first.Id, embedded!.Run.Id);
        using var worker = site.WorkerClient();
        var outside = await BaselineSite.LeaseAsync(worker);
        Assert.Equal(second.Id, outside.GetProperty("runId").GetInt64());
        Assert.Equal(HttpStatusCode.NoContent, (await worker.PostAsJsonAsync("/api/workers/lease", new { cuda = false })).StatusCode);
        Assert.Null(await queue.LeaseAsync(null, hasCuda: false));

        // The outside worker naming the embedded lease, and the embedded worker naming the outside one.
        var report = await worker.SendAsync(BaselineSite.WithLease(HttpMethod.Post, $"/api/workers/runs/{first.Id}/report", embedded.Run.LeaseId!,
            JsonContent.Create(new { progress = Array.Empty<object>(), log = new[] { "not mine" } })));
        Assert.Equal(HttpStatusCode.NotFound, report.StatusCode);
        var outsideLease = outside.GetProperty("leaseId").GetString()!;
        Assert.Equal(LeaseOutcome.NotFound, (await queue.ReportAsync(second.Id, null, outsideLease, [], ["not mine"])).Outcome);
        Assert.Equal(LeaseOutcome.NotFound, (await queue.FailAsync(second.Id, null, outsideLease, "stolen", [])).Outcome);

        Assert.Equal(BaselineRunStatus.Running, (await site.RunAsync(first.Id)).Status);
        Assert.DoesNotContain("not mine", (await site.RunAsync(first.Id)).Log);
        Assert.Equal(BaselineRunStatus.Running, (await site.RunAsync(second.Id)).Status);
        Assert.Equal(LeaseOutcome.Accepted, (await queue.ReportAsync(first.Id, null, embedded.Run.LeaseId!, [], ["mine"])).Outcome);
    }
}

public sealed class EmbeddedLeaseTestsOnSqlite() : EmbeddedLeaseTests(DatabaseProviders.Sqlite);

public sealed class EmbeddedLeaseTestsOnPostgres() : EmbeddedLeaseTests(DatabaseProviders.Postgres), IPostgresTests;
