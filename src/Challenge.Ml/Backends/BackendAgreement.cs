using Challenge.Ml.Layers;
using Challenge.Ml.Models;
using Challenge.Ml.Optimizers;
using Challenge.Ml.Tensors;

namespace Challenge.Ml.Backends;

/// <summary>
/// The same computations on two backends (the CPU as the reference, CUDA as the candidate), which
/// must agree within <see cref="Tolerance"/> relative to the largest reference value of each
/// output. Shared by the tests (where a GPU is present) and <c>challenge-worker check</c>, so a
/// GPU machine without the .NET SDK can run them from the self-contained worker.
/// </summary>
public static class BackendAgreement
{
    public const double Tolerance = 1e-4;

    /// <param name="Run">Computes on a backend and returns the tensors to compare, in a fixed order.</param>
    public sealed record Check(string Name, Func<IBackend, Tensor[]> Run);

    /// <param name="WorstError">Largest |reference - candidate| over all outputs, relative to each output's scale.</param>
    /// <param name="Problem">Null when they agree; else the first element out of tolerance.</param>
    public sealed record Outcome(string Name, double WorstError, string? Problem);

    public static IReadOnlyList<Check> Checks { get; } =
    [
        Gemm(false, false, 300, 70, 129),
        Gemm(true, false, 288, 64, 5000),
        Gemm(false, true, 500, 288, 64),
        Gemm(true, true, 33, 17, 65),
        new("convolution layout and pooling", ConvolutionLayoutAndPooling),
        new("cnn training step", CnnTrainingStep),
        new("adam step, sum and softmax", AdamSumAndSoftmax),
    ];

    public static Outcome Compare(Check check, IBackend reference, IBackend candidate)
    {
        var expected = check.Run(reference).Select(t => t.ToArray()).ToArray();
        var actual = check.Run(candidate).Select(t => t.ToArray()).ToArray();
        if (expected.Length != actual.Length)
        {
            return new Outcome(check.Name, double.PositiveInfinity, $"{expected.Length} outputs on {reference.Name}, {actual.Length} on {candidate.Name}");
        }

        var worst = 0.0;
        for (var t = 0; t < expected.Length; t++)
        {
            var scale = Math.Max(1.0, expected[t].Max(v => Math.Abs((double)v)));
            for (var i = 0; i < expected[t].Length; i++)
            {
                var error = Math.Abs(expected[t][i] - actual[t][i]) / scale;
                worst = Math.Max(worst, double.IsNaN(error) ? double.PositiveInfinity : error);
                if (!(error <= Tolerance))
                {
                    return new Outcome(check.Name, worst,
                        $"output {t}, element {i}: {reference.Name} {expected[t][i]}, {candidate.Name} {actual[t][i]}");
                }
            }
        }

        return new Outcome(check.Name, worst, null);
    }

    /// <summary>Values in [-1, 1) from a seeded generator.</summary>
    public static float[] RandomValues(Random random, int count)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = (float)(random.NextDouble() * 2 - 1);
        }

        return values;
    }

    private static Check Gemm(bool transposeA, bool transposeB, int m, int n, int k)
    {
        var random = new Random(1);
        var a = RandomValues(random, m * k);
        var b = RandomValues(random, k * n);
        var c = RandomValues(random, m * n);
        return new Check($"gemm {(transposeA ? "T" : "N")}{(transposeB ? "T" : "N")} {m}x{n}x{k}", backend =>
        {
            var result = Upload(backend, c, m * n);
            backend.Gemm(transposeA, transposeB, m, n, k, 0.5f, Upload(backend, a, m * k), Upload(backend, b, k * n), 1.5f, result);
            return [result];
        });
    }

    private static Tensor[] ConvolutionLayoutAndPooling(IBackend backend)
    {
        var random = new Random(2);
        var geometry = new ConvGeometry(3, 9, 7, 5, 3, 2, 1);
        var image = RandomValues(random, 3 * 9 * 7 * 5);
        var columnValues = RandomValues(random, geometry.ColumnRows * geometry.ColumnWidth);
        var pooledGradient = RandomValues(random, 3 * 4 * 3 * 5);
        var input = Upload(backend, image, 3, 9, 7, 5);
        var columns = backend.Allocate(geometry.ColumnRows, geometry.ColumnWidth);
        backend.Im2Col(input, geometry, columns);
        var scattered = backend.Allocate(3, 9, 7, 5);
        backend.Col2Im(Upload(backend, columnValues, columnValues.Length), geometry, scattered);
        var pooled = backend.Allocate(3, 4, 3, 5);
        var argmax = backend.Allocate(3, 4, 3, 5);
        backend.MaxPool2x2(input, 3, 9, 7, 5, pooled, argmax);
        var unpooled = backend.Allocate(3, 9, 7, 5);
        backend.MaxPool2x2Backward(Upload(backend, pooledGradient, 3, 4, 3, 5), argmax, 3, 9, 7, 5, unpooled);
        return [columns, scattered, pooled, argmax, unpooled];
    }

    private static Tensor[] CnnTrainingStep(IBackend backend)
    {
        var random = new Random(3);
        var images = RandomValues(random, 8 * 12 * 12 * 3);
        var labels = Enumerable.Range(0, 8).Select(i => i % 5).ToArray();
        var network = Architectures.SmallCnn(backend, 12, 12, 3, 5, new Random(4));
        using var loss = new SoftmaxCrossEntropy(backend);
        // SGD rather than Adam: Adam's first step moves each weight by about lr * sign(gradient),
        // which turns a rounding difference in a near-zero gradient into a large one.
        using var optimizer = new Sgd(network.Parameters, momentum: 0.9f, weightDecay: 0.01f);
        var logits = network.Forward(Upload(backend, images, 8, 12, 12, 3), training: true);
        var lossValue = loss.Compute(logits, labels);
        network.Backward(loss.Gradient);
        var gradients = network.Parameters.Select(p => Copy(backend, p.Gradient)).ToList();
        optimizer.Step(0.1f);
        var lossTensor = backend.Allocate(1);
        backend.CopyFromHost([lossValue], lossTensor);
        return [Copy(backend, logits), lossTensor, .. gradients, .. network.Parameters.Select(p => p.Value)];
    }

    private static Tensor[] AdamSumAndSoftmax(IBackend backend)
    {
        var random = new Random(5);
        var parameter = RandomValues(random, 1000);
        var gradient = RandomValues(random, 1000);
        var p = Upload(backend, parameter, 1000);
        var firstMoment = Upload(backend, gradient, 1000);
        var secondMoment = backend.Allocate(1000);
        backend.Fill(secondMoment, 0.5f);
        backend.AdamStep(p, Upload(backend, gradient, 1000), firstMoment, secondMoment, 1e-2f, 0.9f, 0.999f, 1e-8f, 0.01f, 3);
        var sum = backend.Allocate(1);
        backend.CopyFromHost([backend.Sum(p) / 1000f], sum);
        var probabilities = backend.Allocate(100, 10);
        backend.Softmax(p.Reshape(100, 10), probabilities);
        return [p, firstMoment, secondMoment, sum, probabilities];
    }

    private static Tensor Upload(IBackend backend, float[] values, params int[] shape)
    {
        var tensor = backend.Allocate(shape);
        backend.CopyFromHost(values, tensor);
        return tensor;
    }

    private static Tensor Copy(IBackend backend, Tensor source)
    {
        var copy = backend.Allocate(source.Shape.ToArray());
        backend.Copy(source, copy);
        return copy;
    }
}
