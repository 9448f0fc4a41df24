using Challenge.Ml.Backends;
using Challenge.Ml.Layers;

namespace Challenge.Ml.Tests;

public class LayerGradientTests
{
    private readonly CpuBackend _backend = new();

    [Fact]
    public void Linear()
    {
        var layer = new Linear(_backend, 5, 3, new Random(1));
        GradientCheck.Layer(layer, _backend, GemmTests.RandomValues(new Random(2), 4 * 5), [4, 5], seed: 3);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    public void Conv2d(int stride, int padding)
    {
        var layer = new Conv2d(_backend, 3, 4, 3, new Random(4), stride, padding);
        GradientCheck.Layer(layer, _backend, GemmTests.RandomValues(new Random(5), 2 * 6 * 5 * 3), [2, 6, 5, 3], seed: 6);
    }

    [Fact]
    public void MaxPool2x2()
    {
        // Distinct values spaced wider than the difference step, so no window changes its winner.
        var values = Enumerable.Range(0, 2 * 4 * 6 * 3).Select(i => i * 0.05f).OrderBy(_ => Random.Shared.Next()).ToArray();
        GradientCheck.Layer(new MaxPool2x2(_backend), _backend, values, [2, 4, 6, 3], seed: 7);
    }

    [Fact]
    public void Relu()
    {
        // Keep inputs away from the kink at zero.
        var values = GemmTests.RandomValues(new Random(8), 40).Select(v => v + MathF.CopySign(0.05f, v)).ToArray();
        GradientCheck.Layer(new Relu(_backend), _backend, values, [4, 10], seed: 9);
    }

    [Fact]
    public void BatchNorm_over_dense_features()
    {
        var layer = new BatchNorm(_backend, 3);
        _backend.CopyFromHost([1.5f, 0.5f, -1f], layer.Gamma.Value);
        _backend.CopyFromHost([0.1f, -0.2f, 0.3f], layer.Beta.Value);
        GradientCheck.Layer(layer, _backend, GemmTests.RandomValues(new Random(10), 6 * 3), [6, 3], seed: 11);
    }

    [Fact]
    public void BatchNorm_over_image_channels()
    {
        var layer = new BatchNorm(_backend, 2);
        GradientCheck.Layer(layer, _backend, GemmTests.RandomValues(new Random(12), 2 * 3 * 3 * 2), [2, 3, 3, 2], seed: 13);
    }

    [Fact]
    public void Flatten_is_a_reshape_both_ways()
    {
        GradientCheck.Layer(new Flatten(_backend), _backend, GemmTests.RandomValues(new Random(14), 2 * 3 * 2 * 2), [2, 3, 2, 2], seed: 15);
    }

    [Fact]
    public void Softmax_cross_entropy()
    {
        var logits = _backend.Wrap(GemmTests.RandomValues(new Random(16), 5 * 4).Select(v => v * 3).ToArray(), 5, 4);
        int[] labels = [0, 3, 2, 2, 1];
        using var loss = new SoftmaxCrossEntropy(_backend);
        loss.Compute(logits, labels);
        var analytic = loss.Gradient.ToArray();
        GradientCheck.AssertClose("logits", analytic, CpuBackend.Array(logits), () => loss.Compute(logits, labels), 2e-2);
    }

    [Fact]
    public void Softmax_cross_entropy_of_a_confident_right_answer_is_near_zero()
    {
        using var loss = new SoftmaxCrossEntropy(_backend);
        var value = loss.Compute(_backend.Wrap([100f, 0f, 0f], 1, 3), [0]);
        Assert.InRange(value, 0f, 1e-6f);
        var wrong = loss.Compute(_backend.Wrap([100f, 0f, 0f], 1, 3), [1]);
        Assert.InRange(wrong, 99f, 101f);
    }

    [Fact]
    public void Dropout_scales_kept_units_and_passes_their_gradient()
    {
        var layer = new Dropout(_backend, 0.5f, new Random(17));
        var input = Enumerable.Repeat(1f, 2000).ToArray();
        var output = layer.Forward(_backend.Wrap(input, 2000), training: true).ToArray();

        Assert.All(output, v => Assert.True(v == 0f || v == 2f));
        Assert.InRange(output.Count(v => v == 0f), 850, 1150);

        var gradient = layer.Backward(_backend.Wrap(Enumerable.Repeat(3f, 2000).ToArray(), 2000)).ToArray();
        for (var i = 0; i < output.Length; i++)
        {
            Assert.Equal(output[i] == 0f ? 0f : 6f, gradient[i]);
        }
    }

    [Fact]
    public void Dropout_is_the_identity_in_evaluation()
    {
        var layer = new Dropout(_backend, 0.5f, new Random(18));
        float[] input = [1f, 2f, 3f];
        Assert.Equal(input, layer.Forward(_backend.Wrap(input, 3), training: false).ToArray());
    }

    [Fact]
    public void BatchNorm_evaluation_uses_the_running_statistics()
    {
        var layer = new BatchNorm(_backend, 1, momentum: 1f);
        layer.Forward(_backend.Wrap([2f, 4f, 6f], 3, 1), training: true);

        // With momentum 1 the running stats are the last batch's: mean 4, unbiased variance 4.
        Assert.Equal([4f], layer.RunningMean.ToArray());
        Assert.Equal([4f], layer.RunningVariance.ToArray());
        var output = layer.Forward(_backend.Wrap([6f], 1, 1), training: false).ToArray();
        Assert.Equal(1f, output[0], 3);
    }
}
