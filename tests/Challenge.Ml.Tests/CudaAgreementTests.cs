using Challenge.Ml.Backends;
using Challenge.Ml.Backends.Cuda;
using Challenge.Ml.Layers;
using Challenge.Ml.Models;
using Challenge.Ml.Tensors;

namespace Challenge.Ml.Tests;

/// <summary>
/// The CUDA backend must agree with the CPU backend within 1e-4 (relative to the largest value
/// compared) on the same inputs. Runs only where a GPU, cuBLAS and NVRTC are present.
/// </summary>
public sealed class CudaAgreementTests : IDisposable
{
    private const double Tolerance = 1e-4;
    private readonly CpuBackend _cpu = new();
    private readonly Lazy<CudaBackend> _cuda = new(() =>
        CudaBackend.TryCreate(BackendFactory.CudaDriverLibrary, out var backend, out var reason)
            ? backend!
            : throw new InvalidOperationException(reason));

    private CudaBackend Cuda => _cuda.Value;

    public void Dispose()
    {
        if (_cuda.IsValueCreated)
        {
            _cuda.Value.Dispose();
        }
    }

    [CudaTheory]
    [InlineData(false, false, 300, 70, 129)]
    [InlineData(true, false, 288, 64, 5000)]
    [InlineData(false, true, 500, 288, 64)]
    [InlineData(true, true, 33, 17, 65)]
    public void Gemm(bool transposeA, bool transposeB, int m, int n, int k)
    {
        var random = new Random(1);
        var a = GemmTests.RandomValues(random, m * k);
        var b = GemmTests.RandomValues(random, k * n);
        var c = GemmTests.RandomValues(random, m * n);
        Compare(backend =>
        {
            var result = Upload(backend, c, m * n);
            backend.Gemm(transposeA, transposeB, m, n, k, 0.5f, Upload(backend, a, m * k), Upload(backend, b, k * n), 1.5f, result);
            return [result];
        });
    }

    [CudaFact]
    public void Convolution_layout_and_pooling_kernels()
    {
        var random = new Random(2);
        var geometry = new ConvGeometry(3, 9, 7, 5, 3, 2, 1);
        var image = GemmTests.RandomValues(random, 3 * 9 * 7 * 5);
        var columnValues = GemmTests.RandomValues(random, geometry.ColumnRows * geometry.ColumnWidth);
        var pooledGradient = GemmTests.RandomValues(random, 3 * 4 * 3 * 5);
        Compare(backend =>
        {
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
        });
    }

    [CudaFact]
    public void A_cnn_training_step()
    {
        var random = new Random(3);
        var images = GemmTests.RandomValues(random, 8 * 12 * 12 * 3);
        var labels = Enumerable.Range(0, 8).Select(i => i % 5).ToArray();
        Compare(backend =>
        {
            var network = Architectures.SmallCnn(backend, 12, 12, 3, 5, new Random(4));
            using var loss = new SoftmaxCrossEntropy(backend);
            // SGD rather than Adam: Adam's first step moves each weight by about lr * sign(gradient),
            // which turns a rounding difference in a near-zero gradient into a large one.
            using var optimizer = new Optimizers.Sgd(network.Parameters, momentum: 0.9f, weightDecay: 0.01f);
            var logits = network.Forward(Upload(backend, images, 8, 12, 12, 3), training: true);
            var lossValue = loss.Compute(logits, labels);
            network.Backward(loss.Gradient);
            var gradients = network.Parameters.Select(p => Copy(backend, p.Gradient)).ToList();
            optimizer.Step(0.1f);
            var lossTensor = backend.Allocate(1);
            backend.CopyFromHost([lossValue], lossTensor);
            return [Copy(backend, logits), lossTensor, .. gradients, .. network.Parameters.Select(p => p.Value)];
        });
    }

    [CudaFact]
    public void Adam_step_sum_and_softmax()
    {
        var random = new Random(5);
        var parameter = GemmTests.RandomValues(random, 1000);
        var gradient = GemmTests.RandomValues(random, 1000);
        Compare(backend =>
        {
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
        });
    }

    private void Compare(Func<IBackend, Tensor[]> run)
    {
        var expected = run(_cpu).Select(t => t.ToArray()).ToArray();
        var actual = run(Cuda).Select(t => t.ToArray()).ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (var t = 0; t < expected.Length; t++)
        {
            var scale = Math.Max(1.0, expected[t].Max(v => Math.Abs((double)v)));
            for (var i = 0; i < expected[t].Length; i++)
            {
                var error = Math.Abs(expected[t][i] - actual[t][i]);
                Assert.True(error <= Tolerance * scale, $"output {t}, element {i}: cpu {expected[t][i]}, cuda {actual[t][i]}");
            }
        }
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
