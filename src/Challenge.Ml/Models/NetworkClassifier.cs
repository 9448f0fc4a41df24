using System.Diagnostics;
using Challenge.Ml.Backends;
using Challenge.Ml.Data;
using Challenge.Ml.Layers;
using Challenge.Ml.Optimizers;
using Challenge.Ml.Tensors;
using Challenge.Ml.Training;

namespace Challenge.Ml.Models;

/// <summary>
/// A neural network trained with mini-batches on one backend. Pixels are standardised per
/// channel with statistics of the training set, which are kept for prediction.
/// </summary>
public sealed class NetworkClassifier(string name, IBackend backend, Architecture architecture, TrainingOptions options) : IClassifier
{
    private const int PredictionBatchSize = 256;

    private Sequential? _network;
    private float[] _channelMean = [];
    private float[] _channelInvStd = [];

    public string Name { get; } = name;

    public int ClassCount { get; private set; }

    public TrainingOptions Options { get; } = options;

    /// <summary>The trained network; null before <see cref="Fit"/>.</summary>
    public Sequential? Network => _network;

    public void Fit(ImageDataset train, ImageDataset? validation, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var labels = train.RequireLabels();
        if (train.Count < 2)
        {
            throw new ArgumentException("Training a network needs at least two labelled images.");
        }

        ClassCount = ClassifierExtensions.ClassCountOf(train, validation);
        (_channelMean, _channelInvStd) = ChannelStatistics(train);
        _network?.Dispose();
        var random = new Random(Options.Seed);
        _network = architecture(backend, train.Height, train.Width, train.Channels, ClassCount, new Random(random.Next()));

        using var optimizer = CreateOptimizer(_network.Parameters);
        using var loss = new SoftmaxCrossEntropy(backend);
        var batchSize = Math.Min(Options.BatchSize, train.Count);
        var batchesPerEpoch = train.Count / batchSize;
        var totalSteps = Options.Epochs * batchesPerEpoch;
        var hostBatch = new float[batchSize * train.ImageSize];
        var batchLabels = new int[batchSize];
        var scratch = new float[train.ImageSize];
        var order = Enumerable.Range(0, train.Count).ToArray();
        using var input = backend.Allocate(batchSize, train.Height, train.Width, train.Channels);
        var clock = Stopwatch.StartNew();
        var step = 0;
        for (var epoch = 1; epoch <= Options.Epochs; epoch++)
        {
            random.Shuffle(order);
            var epochStart = clock.Elapsed;
            var lastReport = clock.Elapsed;
            double lossSum = 0;
            for (var batch = 1; batch <= batchesPerEpoch; batch++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                for (var i = 0; i < batchSize; i++)
                {
                    var index = order[(batch - 1) * batchSize + i];
                    batchLabels[i] = labels[index];
                    var target = hostBatch.AsSpan(i * train.ImageSize, train.ImageSize);
                    if (Options.Augmentation.IsNone)
                    {
                        Normalise(train.Image(index), target);
                    }
                    else
                    {
                        Normalise(train.Image(index), scratch);
                        Options.Augmentation.Apply(scratch, target, train.Height, train.Width, train.Channels, random);
                    }
                }

                backend.CopyFromHost(hostBatch, input);
                var logits = _network.Forward(input, training: true);
                lossSum += loss.Compute(logits, batchLabels);
                _network.Backward(loss.Gradient);
                optimizer.Step(LearningRate(step++, totalSteps));

                var now = clock.Elapsed;
                var endOfEpoch = batch == batchesPerEpoch;
                if (progress is null || (!endOfEpoch && now - lastReport < Options.ReportInterval))
                {
                    continue;
                }

                lastReport = now;
                var accuracy = endOfEpoch && validation is not null ? this.Accuracy(validation) : (double?)null;
                var examplesPerSecond = batch * batchSize / Math.Max(1e-9, (now - epochStart).TotalSeconds);
                var eta = TimeSpan.FromSeconds(now.TotalSeconds / step * (totalSteps - step));
                progress.Report(new TrainingProgress(
                    Name, epoch, Options.Epochs, batch, batchesPerEpoch, lossSum / batch, accuracy, examplesPerSecond, eta, backend.Name));
            }
        }
    }

    public float[] PredictProbabilities(ImageDataset images)
    {
        var network = _network ?? throw new InvalidOperationException($"{Name} must be trained before it predicts.");
        var result = new float[images.Count * ClassCount];
        var batchSize = Math.Min(PredictionBatchSize, Math.Max(1, images.Count));
        var hostBatch = new float[batchSize * images.ImageSize];
        var probabilities = new float[batchSize * ClassCount];
        using var input = backend.Allocate(batchSize, images.Height, images.Width, images.Channels);
        using var output = backend.Allocate(batchSize, ClassCount);
        // A network trained on mirrored images as well predicts the mean of the image and its mirror:
        // the two views' errors are partly independent, so the mean is right more often than either.
        var mirrored = Options.Augmentation.HorizontalFlip ? new float[batchSize * ClassCount] : null;
        for (var start = 0; start < images.Count; start += batchSize)
        {
            // The last batch is padded with zeros; evaluation treats images independently.
            var count = Math.Min(batchSize, images.Count - start);
            Array.Clear(hostBatch);
            for (var i = 0; i < count; i++)
            {
                Normalise(images.Image(start + i), hostBatch.AsSpan(i * images.ImageSize, images.ImageSize));
            }

            backend.CopyFromHost(hostBatch, input);
            backend.Softmax(network.Forward(input, training: false), output);
            backend.CopyToHost(output, probabilities);
            if (mirrored is not null)
            {
                for (var i = 0; i < count; i++)
                {
                    Mirror(hostBatch.AsSpan(i * images.ImageSize, images.ImageSize), images.Height, images.Width, images.Channels);
                }

                backend.CopyFromHost(hostBatch, input);
                backend.Softmax(network.Forward(input, training: false), output);
                backend.CopyToHost(output, mirrored);
                for (var i = 0; i < count * ClassCount; i++)
                {
                    probabilities[i] = 0.5f * (probabilities[i] + mirrored[i]);
                }
            }

            probabilities.AsSpan(0, count * ClassCount).CopyTo(result.AsSpan(start * ClassCount));
        }

        return result;
    }

    private static void Mirror(Span<float> image, int height, int width, int channels)
    {
        for (var y = 0; y < height; y++)
        {
            var row = image.Slice(y * width * channels, width * channels);
            for (int left = 0, right = width - 1; left < right; left++, right--)
            {
                for (var c = 0; c < channels; c++)
                {
                    (row[left * channels + c], row[right * channels + c]) = (row[right * channels + c], row[left * channels + c]);
                }
            }
        }
    }

    public void Dispose() => _network?.Dispose();

    private Optimizer CreateOptimizer(IReadOnlyList<Parameter> parameters) => Options.Optimizer switch
    {
        OptimizerKind.Sgd => new Sgd(parameters, Options.Momentum, Options.WeightDecay),
        OptimizerKind.Adam => new Adam(parameters, weightDecay: Options.WeightDecay),
        _ => throw new ArgumentOutOfRangeException(nameof(options), Options.Optimizer, "Unknown optimiser."),
    };

    private float LearningRate(int step, int totalSteps) =>
        Options.CosineSchedule
            ? (float)(Options.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * step / totalSteps)))
            : Options.LearningRate;

    private void Normalise(ReadOnlySpan<float> image, Span<float> target)
    {
        var channels = _channelMean.Length;
        for (var i = 0; i < image.Length; i++)
        {
            var channel = i % channels;
            target[i] = (image[i] - _channelMean[channel]) * _channelInvStd[channel];
        }
    }

    private static (float[] Mean, float[] InvStd) ChannelStatistics(ImageDataset data)
    {
        var channels = data.Channels;
        var sum = new double[channels];
        var sumSquares = new double[channels];
        var pixels = data.Pixels;
        for (var i = 0; i < pixels.Length; i++)
        {
            var channel = i % channels;
            sum[channel] += pixels[i];
            sumSquares[channel] += (double)pixels[i] * pixels[i];
        }

        var perChannel = (double)pixels.Length / channels;
        var mean = new float[channels];
        var invStd = new float[channels];
        for (var c = 0; c < channels; c++)
        {
            var m = sum[c] / perChannel;
            var variance = Math.Max(0, sumSquares[c] / perChannel - m * m);
            mean[c] = (float)m;

            // A constant channel carries no information; leave it at zero rather than divide by zero.
            invStd[c] = variance > 1e-12 ? (float)(1 / Math.Sqrt(variance)) : 1f;
        }

        return (mean, invStd);
    }
}
