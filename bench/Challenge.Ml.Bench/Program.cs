using System.Diagnostics;
using Challenge.Ml.Backends;
using Challenge.Ml.Bench;
using Challenge.Ml.Data;
using Challenge.Ml.Models;
using Challenge.Ml.Training;

// Fashion-MNIST benchmarks of the reference models on the CPU backend.
// Usage: Challenge.Ml.Bench <fashion-mnist folder> [gemm|profile|softmax|cnn|shape|pseudo|all] [--epochs N] [--student-epochs N] [--threshold-percent P] [--share-percent P] [--limit N] [--seed S] [--device cpu|cuda|auto]
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: Challenge.Ml.Bench <fashion-mnist folder> [gemm|profile|softmax|cnn|shape|pseudo|all] [--epochs N] [--student-epochs N] [--threshold-percent P] [--share-percent P] [--limit N] [--seed S] [--device cpu|cuda|auto]");
    return 2;
}

var folder = args[0];
var which = args.Length > 1 && !args[1].StartsWith("--", StringComparison.Ordinal) ? args[1] : "all";
int Option(string name, int fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1]) : fallback;
}

var seed = Option("--seed", 1);
var limit = Option("--limit", int.MaxValue);
var deviceAt = Array.IndexOf(args, "--device");
var device = BackendFactory.ParsePreference(deviceAt >= 0 && deviceAt + 1 < args.Length ? args[deviceAt + 1] : "cpu");
using var backend = BackendFactory.Create(device, Console.WriteLine);
Console.WriteLine($"device: {backend.Name}; .NET {Environment.Version}; vector width {System.Numerics.Vector<float>.Count}; load average {LoadAverage()}");

if (which is "gemm" or "all")
{
    GemmBenchmark.Run(backend);
}

if (which == "profile")
{
    LayerProfile.Run(backend);
}

if (which is "gemm" or "profile")
{
    return 0;
}

var train = IdxReader.ReadImagesWithLabels(Path.Combine(folder, "train-images-idx3-ubyte.gz"));
var test = IdxReader.ReadImagesWithLabels(Path.Combine(folder, "t10k-images-idx3-ubyte.gz"));
if (limit < train.Count)
{
    train = train.Subset([.. Enumerable.Range(0, limit)]);
}

Console.WriteLine($"train {train.Count} images, test {test.Count} images, {train.Height}x{train.Width}x{train.Channels}");
var progress = new ConsoleProgress();

if (which is "softmax" or "all")
{
    var options = new TrainingOptions { Epochs = Option("--epochs", 10), BatchSize = 64, LearningRate = 1e-3f, Seed = seed };
    Measure("softmax", ModelFactory.Create("softmax", backend, options), train, test, progress);
}

if (which is "cnn" or "all")
{
    var options = new TrainingOptions { Epochs = Option("--epochs", 14), BatchSize = 64, LearningRate = ModelFactory.ReferenceLearningRate("cnn"), Seed = seed };
    Measure($"cnn (reference), {options.Epochs} epochs", ModelFactory.Create("cnn", backend, options), train, test, progress);
}

if (which == "shape")
{
    // A candidate reference CNN: --widths 32,64 --hidden 256 --dropout 25 --flip --shift N --lr-milli 2.
    var at = Array.IndexOf(args, "--widths");
    int[] widths = at >= 0 ? [.. args[at + 1].Split(',').Select(int.Parse)] : [32, 64];
    var options = new TrainingOptions
    {
        Epochs = Option("--epochs", 8), BatchSize = Option("--batch", 64), LearningRate = Option("--lr-milli", 2) / 1000f, Seed = seed,
        Augmentation = new Augmentation(args.Contains("--flip"), Option("--shift", 0)),
    };
    var hidden = Option("--hidden", 0);
    var dropout = Option("--dropout", 25) / 100f;
    Measure($"cnn [{string.Join(',', widths)}] hidden {hidden} dropout {dropout} {options.Augmentation}, {options.Epochs} epochs, batch {options.BatchSize}, lr {options.LearningRate}",
        new NetworkClassifier("cnn", backend, Architectures.Cnn(widths, hidden, dropout), options), train, test, progress);
}

if (which is "pseudo" or "all")
{
    // 50 labelled images per class; the rest of the training set is the unlabelled pool.
    var (labelled, remaining) = train.TakePerClass(50, seed);
    var pool = new ImageDataset(remaining.Pixels, remaining.Count, remaining.Height, remaining.Width, remaining.Channels);
    var small = new TrainingOptions
    {
        Epochs = Option("--epochs", 30),
        BatchSize = 32,
        LearningRate = 2e-3f,
        Seed = seed,
        Augmentation = Augmentation.FlipAndShift,
    };
    if (!args.Contains("--skip-supervised"))
    {
        Measure("cnn, 50 labelled per class", ModelFactory.Create("cnn", backend, small), labelled, test, progress);
    }
    var pseudo = ModelFactory.Create(
        "pseudo",
        backend,
        small,
        pool,
        pseudoThreshold: Option("--threshold-percent", 80) / 100f,
        pseudoShare: Option("--share-percent", 50) / 100f,
        studentEpochs: Option("--student-epochs", 3),
        log: Console.WriteLine,
        pseudoRounds: Option("--rounds", 2));
    Measure("pseudo-labelling, 50 labelled per class + unlabelled", pseudo, labelled, test, progress);
}

return 0;

static string LoadAverage() =>
    File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

static void Measure(string name, IClassifier model, ImageDataset train, ImageDataset test, IProgress<TrainingProgress> progress)
{
    var clock = Stopwatch.StartNew();
    model.Fit(train, null, progress, CancellationToken.None);
    var trainSeconds = clock.Elapsed.TotalSeconds;
    var accuracy = model.Accuracy(test);
    Console.WriteLine(
        $"RESULT {name}: test accuracy {accuracy:0.0000}, training {trainSeconds:0.0} s, " +
        $"train+predict {clock.Elapsed.TotalSeconds:0.0} s, load average after {LoadAverage()}");
    model.Dispose();
}

internal sealed class ConsoleProgress : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value)
    {
        if (value.IsEpochEnd)
        {
            Console.WriteLine(value);
        }
    }
}
