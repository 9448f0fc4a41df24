using Challenge.Ml.Backends;
using Challenge.Ml.Data;
using Challenge.Ml.Layers;
using Challenge.Ml.Models;
using Challenge.Ml.Training;

namespace Challenge.Ml.Tests;

public class TrainingTests
{
    [Fact]
    public void A_small_cnn_overfits_a_tiny_batch_of_random_labels()
    {
        var backend = new CpuBackend();
        var random = new Random(1);
        var images = GemmTests.RandomValues(random, 16 * 8 * 8 * 2);
        var labels = Enumerable.Range(0, 16).Select(_ => random.Next(4)).ToArray();
        using var network = new Sequential(
            backend,
            new Conv2d(backend, 2, 8, 3, random, padding: 1, bias: false),
            new BatchNorm(backend, 8),
            new Relu(backend),
            new MaxPool2x2(backend),
            new Flatten(backend),
            new Linear(backend, 4 * 4 * 8, 4, random));
        using var optimizer = new Optimizers.Adam(network.Parameters);
        using var loss = new SoftmaxCrossEntropy(backend);
        var input = backend.Wrap(images, 16, 8, 8, 2);

        var firstLoss = 0f;
        var lastLoss = 0f;
        for (var step = 0; step < 150; step++)
        {
            lastLoss = loss.Compute(network.Forward(input, training: true), labels);
            firstLoss = step == 0 ? lastLoss : firstLoss;
            network.Backward(loss.Gradient);
            optimizer.Step(0.01f);
        }

        Assert.True(firstLoss > 1f, $"the untrained loss {firstLoss} should be near ln 4");
        Assert.True(lastLoss < 0.05f, $"loss after 150 steps is {lastLoss}");
        var probabilities = loss.Probabilities.ToArray();
        var predicted = ClassifierExtensions.ArgMax(probabilities, 4);
        Assert.Equal(labels, predicted);
    }

    [Fact]
    public void Sgd_with_momentum_also_overfits()
    {
        var backend = new CpuBackend();
        var random = new Random(2);
        var input = backend.Wrap(GemmTests.RandomValues(random, 12 * 20), 12, 20);
        var labels = Enumerable.Range(0, 12).Select(i => i % 3).ToArray();
        using var network = new Sequential(backend, new Linear(backend, 20, 16, random), new Relu(backend), new Linear(backend, 16, 3, random));
        using var optimizer = new Optimizers.Sgd(network.Parameters, momentum: 0.9f, weightDecay: 1e-4f);
        using var loss = new SoftmaxCrossEntropy(backend);
        var value = 0f;
        for (var step = 0; step < 300; step++)
        {
            value = loss.Compute(network.Forward(input, training: true), labels);
            network.Backward(loss.Gradient);
            optimizer.Step(0.05f);
        }

        Assert.True(value < 0.05f, $"loss after 300 steps is {value}");
    }

    [Fact]
    public void The_same_seed_gives_bitwise_identical_weights()
    {
        var train = SyntheticImages.Bars(96, seed: 3);
        var options = new TrainingOptions { Epochs = 2, BatchSize = 16, Seed = 42, Augmentation = Augmentation.FlipAndShift };

        var first = TrainedWeights(train, options);
        var second = TrainedWeights(train, options);
        var otherSeed = TrainedWeights(train, options with { Seed = 43 });

        Assert.Equal(first, second);
        Assert.NotEqual(first, otherSeed);
    }

    [Fact]
    public void The_cnn_learns_an_easy_task_and_reports_progress()
    {
        var train = SyntheticImages.Bars(256, seed: 4);
        var validation = SyntheticImages.Bars(64, seed: 5);
        var reports = new List<TrainingProgress>();
        using var model = ModelFactory.Create("cnn", new CpuBackend(), new TrainingOptions { Epochs = 3, BatchSize = 32, LearningRate = 3e-3f, Seed = 1 });

        model.Fit(train, validation, new ListProgress(reports), CancellationToken.None);

        Assert.True(model.Accuracy(validation) > 0.95, $"validation accuracy {model.Accuracy(validation)}");
        var epochEnds = reports.Where(r => r.IsEpochEnd).ToList();
        Assert.Equal([1, 2, 3], epochEnds.Select(r => r.Epoch));
        Assert.All(epochEnds, r => Assert.NotNull(r.ValidationAccuracy));
        Assert.All(reports, r => Assert.StartsWith("cpu", r.Device));
        Assert.Equal(1.0, reports[^1].Fraction);
        Assert.True(reports[^1].Loss < reports[0].Loss);
    }

    [Fact]
    public void A_network_trained_on_mirrored_images_too_predicts_an_image_and_its_mirror_alike()
    {
        // The prediction is the mean over the image and its mirror, so mirroring the input changes nothing.
        var train = SyntheticImages.Bars(64, seed: 13);
        var images = SyntheticImages.Bars(8, seed: 14, labelled: false);
        var mirrored = new float[images.Pixels.Length];
        for (var n = 0; n < images.Count; n++)
        {
            for (var y = 0; y < images.Height; y++)
            {
                for (var x = 0; x < images.Width; x++)
                {
                    mirrored[(n * images.Height + y) * images.Width + x] = images.Pixels[(n * images.Height + y) * images.Width + images.Width - 1 - x];
                }
            }
        }
        var options = new TrainingOptions { Epochs = 2, BatchSize = 16, LearningRate = 3e-3f, Seed = 3, Augmentation = new Augmentation(true, 0) };
        using var model = ModelFactory.Create("cnn", new CpuBackend(), options);
        model.Fit(train, null, null, CancellationToken.None);

        var straight = model.PredictProbabilities(images);
        var flipped = model.PredictProbabilities(new ImageDataset(mirrored, images.Count, images.Height, images.Width, images.Channels));

        for (var i = 0; i < straight.Length; i++)
        {
            Assert.Equal(straight[i], flipped[i], 5);
        }
    }

    [Fact]
    public void Softmax_regression_learns_an_easy_task()
    {
        var train = SyntheticImages.Bars(200, seed: 6);
        var test = SyntheticImages.Bars(80, seed: 7);
        using var model = ModelFactory.Create("softmax", new CpuBackend(), new TrainingOptions { Epochs = 5, BatchSize = 20, LearningRate = 1e-2f });
        model.Fit(train, null, null, CancellationToken.None);
        Assert.True(model.Accuracy(test) > 0.95);
    }

    [Fact]
    public void Cancellation_stops_training()
    {
        var train = SyntheticImages.Bars(64, seed: 8);
        using var model = ModelFactory.Create("cnn", new CpuBackend(), new TrainingOptions { Epochs = 50, BatchSize = 8 });
        using var cancel = new CancellationTokenSource();
        var progress = new ListProgress([], _ => cancel.Cancel());
        Assert.ThrowsAny<OperationCanceledException>(() => model.Fit(train, null, progress, cancel.Token));
    }

    [Fact]
    public void Majority_and_random_baselines()
    {
        var pixels = new float[6 * 4];
        var train = new ImageDataset(pixels, 6, 2, 2, 1, [2, 2, 1, 2, 0, 1]);
        using var majority = new MajorityClassifier();
        majority.Fit(train, null, null, CancellationToken.None);
        Assert.Equal([2, 2, 2, 2, 2, 2], majority.Predict(train));

        using var random = new RandomClassifier(seed: 9);
        random.Fit(train, null, null, CancellationToken.None);
        var guesses = random.Predict(SyntheticImages.Bars(400, 1, labelled: false));
        Assert.Equal(guesses, random.Predict(SyntheticImages.Bars(400, 1, labelled: false)));
        Assert.Equal([0, 1, 2], guesses.Distinct().Order());
    }

    [Fact]
    public void Pseudo_labelling_adds_confident_unlabelled_images()
    {
        var labelled = SyntheticImages.Bars(16, seed: 10);
        var unlabelled = SyntheticImages.Bars(120, seed: 11, labelled: false);
        var test = SyntheticImages.Bars(60, seed: 12);
        var log = new List<string>();
        var options = new TrainingOptions { Epochs = 4, BatchSize = 8, LearningRate = 3e-3f, Seed = 2 };
        using var model = (PseudoLabelClassifier)ModelFactory.Create("pseudo", new CpuBackend(), options, unlabelled, 0.9f, 0.5f, studentEpochs: 2, log: log.Add);
        var stages = new List<TrainingProgress>();

        model.Fit(labelled, null, new ListProgress(stages), CancellationToken.None);

        // At most the most confident half of each predicted class.
        Assert.InRange(model.PseudoLabelCount, 4, 60);
        Assert.Contains(log, line => line.Contains($"{model.PseudoLabelCount} of 120"));
        Assert.Contains(stages, s => s.Stage == "pseudo: labelled only");
        Assert.Contains(stages, s => s.Stage == "pseudo: round 1");
        Assert.True(model.Accuracy(test) > 0.9);
    }

    [Fact]
    public void Pseudo_labelling_keeps_only_the_most_confident_share_of_each_predicted_class()
    {
        var labelled = SyntheticImages.Bars(40, seed: 13);
        var unlabelled = SyntheticImages.Bars(160, seed: 14, labelled: false);
        var options = new TrainingOptions { Epochs = 3, BatchSize = 10, LearningRate = 1e-2f, Seed = 3 };
        NetworkClassifier Softmax() => new("softmax", new CpuBackend(), Architectures.SoftmaxRegression, options);
        using var model = new PseudoLabelClassifier(Softmax, Softmax, unlabelled, threshold: 0.01f, topFractionPerClass: 0.25f);

        model.Fit(labelled, null, null, CancellationToken.None);

        // A quarter of each predicted class, rounded up: 40 when the four classes are predicted
        // 40 times each, at most 43 otherwise; a global threshold of 0.01 alone would keep all 160.
        Assert.InRange(model.PseudoLabelCount, 40, 43);
    }

    [Fact]
    public void Augmentation_flips_and_shifts_with_mean_fill()
    {
        float[] image = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        var target = new float[9];
        new Augmentation(true, 0).Apply(image, target, 3, 3, 1, new AlwaysOne());
        Assert.Equal([3f, 2, 1, 6, 5, 4, 9, 8, 7], target);

        new Augmentation(false, 1).Apply(image, target, 3, 3, 1, new AlwaysOne());
        Assert.Equal([0f, 0, 0, 0, 1, 2, 0, 4, 5], target);
    }

    private static float[] TrainedWeights(ImageDataset train, TrainingOptions options)
    {
        using var model = new NetworkClassifier("cnn", new CpuBackend(), Architectures.SmallCnn, options);
        model.Fit(train, null, null, CancellationToken.None);
        return [.. model.Network!.Parameters.SelectMany(p => p.Value.ToArray())];
    }

    /// <summary>A generator whose draws are all the top of the range: flip yes, shift +max.</summary>
    private sealed class AlwaysOne : Random
    {
        public override int Next(int maxValue) => maxValue - 1;

        public override int Next(int minValue, int maxValue) => maxValue - 1;
    }

    private sealed class ListProgress(List<TrainingProgress> reports, Action<TrainingProgress>? onReport = null) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            reports.Add(value);
            onReport?.Invoke(value);
        }
    }
}
