using Challenge.Ml.Backends;
using Challenge.Ml.Layers;

namespace Challenge.Ml.Models;

/// <summary>Builds a network for images of the given size and a number of classes.</summary>
public delegate Sequential Architecture(IBackend backend, int height, int width, int channels, int classes, Random random);

public static class Architectures
{
    /// <summary>Multinomial logistic regression on the raw (normalised) pixels.</summary>
    public static Sequential SoftmaxRegression(IBackend backend, int height, int width, int channels, int classes, Random random) =>
        new(backend, new Flatten(backend), new Linear(backend, height * width * channels, classes, random, zeroWeights: true));

    /// <summary>
    /// Two blocks of 3x3 convolution, batch norm, ReLU and 2x2 max-pooling (32 then 64 channels),
    /// then dropout and a linear head. The convolutions have no bias: batch norm's shift does that job.
    /// </summary>
    public static Sequential SmallCnn(IBackend backend, int height, int width, int channels, int classes, Random random)
    {
        const int first = 32;
        const int second = 64;
        var features = height / 2 / 2 * (width / 2 / 2) * second;
        if (features == 0)
        {
            throw new ArgumentException($"The CNN needs images of at least 4x4 pixels, not {height}x{width}.");
        }

        return new Sequential(
            backend,
            new Conv2d(backend, channels, first, 3, random, padding: 1, bias: false),
            new BatchNorm(backend, first),
            new Relu(backend),
            new MaxPool2x2(backend),
            new Conv2d(backend, first, second, 3, random, padding: 1, bias: false),
            new BatchNorm(backend, second),
            new Relu(backend),
            new MaxPool2x2(backend),
            new Flatten(backend),
            new Dropout(backend, 0.25f, random),
            new Linear(backend, features, classes, random));
    }
}
