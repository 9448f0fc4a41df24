using System.Buffers.Binary;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Challenge.Core.Baselines;
using Challenge.Core.Data;
using Challenge.Core.Files;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Challenge.Web.Tests.Baselines;

// A running challenge with a labelled-image task: IDX training images and labels, IDX test images,
// the hidden solution of the test images, and a worker token made by the organizer.
public sealed class BaselineSite : IAsyncDisposable
{
    public const int Classes = 3;

    private BaselineSite(CompetitionSite site) => Site = site;

    public CompetitionSite Site { get; }
    public ChallengeWebFactory Factory => Site.Factory;
    public string WorkerToken { get; private set; } = "";
    public int TrainFileId { get; private set; }
    public int TestFileId { get; private set; }
    public int TestCount { get; private set; }

    public static async Task<BaselineSite> StartAsync(int trainCount = 600, int testCount = 90, int size = 8, Action<ChallengeWebFactory>? configure = null, string provider = Challenge.Core.Data.DatabaseProviders.Sqlite)
    {
        var site = new BaselineSite(await CompetitionSite.StartAsync(configure: configure, provider: provider));
        await site.UploadDataAsync(trainCount, testCount, size);
        site.WorkerToken = (await site.Site.Get<BaselineService>().CreateWorkerAsync("test-worker", site.Site.Organizer.Principal))!.Secret;
        return site;
    }

    // Class k has a bright square in its own corner; the rest is dim noise. A softmax separates it.
    public static (byte[] Pixels, byte[] Labels) Images(int count, int size, int seed)
    {
        var random = new Random(seed);
        var pixels = new byte[count * size * size];
        var labels = new byte[count];
        var block = size / 2;
        for (var i = 0; i < count; i++)
        {
            var label = random.Next(Classes);
            labels[i] = (byte)label;
            var (top, left) = label switch { 0 => (0, 0), 1 => (0, size - block), _ => (size - block, size / 4) };
            for (var y = 0; y < size; y++)
            {
                for (var x = 0; x < size; x++)
                {
                    var bright = y >= top && y < top + block && x >= left && x < left + block;
                    pixels[i * size * size + y * size + x] = (byte)(bright ? 180 + random.Next(76) : random.Next(60));
                }
            }
        }
        return (pixels, labels);
    }

    public static byte[] Idx(int[] dimensions, byte[] data)
    {
        using var stream = new MemoryStream();
        stream.Write([0, 0, 0x08, (byte)dimensions.Length]);
        var value = new byte[4];
        foreach (var dimension in dimensions)
        {
            BinaryPrimitives.WriteInt32BigEndian(value, dimension);
            stream.Write(value);
        }
        stream.Write(data);
        return stream.ToArray();
    }

    private async Task UploadDataAsync(int trainCount, int testCount, int size)
    {
        var files = Site.Get<DataFileService>();
        var organizer = Site.Organizer.Principal;
        var challengeId = Site.Challenge.Id;
        var (trainPixels, trainLabels) = Images(trainCount, size, seed: 1);
        var (testPixels, testLabels) = Images(testCount, size, seed: 2);
        TrainFileId = (await files.UploadAsync(challengeId, new MemoryStream(Idx([trainCount, size, size], trainPixels)), "train-images-idx3-ubyte", "training images", organizer)).File!.Id;
        await files.UploadAsync(challengeId, new MemoryStream(Idx([trainCount], trainLabels)), "train-labels-idx1-ubyte", "training labels", organizer);
        TestFileId = (await files.UploadAsync(challengeId, new MemoryStream(Idx([testCount, size, size], testPixels)), "test-images-idx3-ubyte", "test images", organizer)).File!.Id;
        TestCount = testCount;

        var solution = new StringBuilder("Id,Category,Usage\n");
        for (var i = 0; i < testCount; i++)
        {
            solution.Append($"{i},{testLabels[i]},{(i % 2 == 0 ? "Public" : "Private")}\n");
        }
        var upload = await Site.Get<Challenge.Core.Tasks.TaskService>().UploadSolutionAsync(Site.Task.Id, new MemoryStream(Encoding.UTF8.GetBytes(solution.ToString())), "solution.csv", organizer);
        Assert.True(upload.Accepted, string.Join("; ", upload.Report.Errors.Select(e => e.Message)));
    }

    public async Task<BaselineRun> QueueAsync(string model = "softmax", int epochs = 20, BaselineDevice device = BaselineDevice.Auto)
    {
        var (run, errors) = await Site.Get<BaselineService>().CreateAsync(Site.Challenge.Id, new BaselineRunInput
        {
            TaskId = Site.Task.Id, Model = model, Epochs = epochs, Device = device, TrainFileId = TrainFileId, TestFileId = TestFileId,
        }, Site.Organizer.Principal);
        Assert.True(run is not null, string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value}")));
        return run!;
    }

    public async Task<BaselineRun> RunAsync(long id)
    {
        await using var db = await Site.Get<IDbContextFactory<ChallengeDbContext>>().CreateDbContextAsync();
        return await db.BaselineRuns.AsNoTracking().SingleAsync(r => r.Id == id);
    }

    public async Task<BaselineRun> WaitForRunAsync(long id, Func<BaselineRun, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var run = await RunAsync(id);
            if (condition(run))
            {
                return run;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Run {id} never {what}: it is {run.Status} (attempts {run.Attempts}, epoch {run.Epoch}, message {run.Message}).\nLog:\n{run.Log}");
            }
            await Task.Delay(100);
        }
    }

    public HttpClient WorkerClient(string? token = null)
    {
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token ?? WorkerToken);
        return client;
    }

    public static async Task<JsonElement> LeaseAsync(HttpClient worker)
    {
        var response = await worker.PostAsJsonAsync("/api/workers/lease", new { cuda = false });
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static HttpRequestMessage WithLease(HttpMethod method, string path, string leaseId, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add("X-Lease-Id", leaseId);
        return request;
    }

    public async ValueTask DisposeAsync() => await Site.DisposeAsync();
}
