using Challenge.Ml.Backends;

namespace Challenge.Ml.Tests;

public class BackendOperationTests
{
    private readonly CpuBackend _backend = new();

    [Theory]
    [InlineData(3000, 5)]
    [InlineData(700, 64)]
    [InlineData(2, 600)]
    public void Channel_statistics_match_a_double_precision_reference(int rows, int channels)
    {
        var values = GemmTests.RandomValues(new Random(rows), rows * channels).Select((v, i) => v + i % channels).ToArray();
        var mean = _backend.Allocate(channels);
        var variance = _backend.Allocate(channels);
        _backend.ChannelMeanVariance(_backend.Wrap(values, rows, channels), mean, variance);

        for (var ch = 0; ch < channels; ch++)
        {
            var column = Enumerable.Range(0, rows).Select(r => (double)values[r * channels + ch]).ToArray();
            var expectedMean = column.Average();
            var expectedVariance = column.Select(v => (v - expectedMean) * (v - expectedMean)).Average();
            AssertClose(expectedMean, mean.ToArray()[ch]);
            AssertClose(expectedVariance, variance.ToArray()[ch]);
        }
    }

    private static void AssertClose(double expected, float actual) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-5 * Math.Max(1, Math.Abs(expected)), $"expected {expected}, got {actual}");

    [Fact]
    public void Max_pooling_picks_the_largest_of_each_window_and_routes_its_gradient()
    {
        // One 2x4 image with 9 channels: the vector path covers 8 channels and the scalar path one.
        const int channels = 9;
        var values = new float[2 * 4 * channels];
        var random = new Random(3);
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = random.Next(100);
        }

        var output = _backend.Allocate(1, 1, 2, channels);
        var argmax = _backend.Allocate(1, 1, 2, channels);
        _backend.MaxPool2x2(_backend.Wrap(values, 1, 2, 4, channels), 1, 2, 4, channels, output, argmax);

        var pooled = output.ToArray();
        var winners = argmax.ToArray();
        var upstream = GemmTests.RandomValues(random, 2 * channels);
        var inputGradient = _backend.Allocate(1, 2, 4, channels);
        _backend.Fill(inputGradient, float.NaN);
        _backend.MaxPool2x2Backward(_backend.Wrap(upstream, 1, 1, 2, channels), argmax, 1, 2, 4, channels, inputGradient);
        var gradient = inputGradient.ToArray();
        for (var ox = 0; ox < 2; ox++)
        {
            for (var ch = 0; ch < channels; ch++)
            {
                float[] window =
                [
                    values[(2 * ox) * channels + ch],
                    values[(2 * ox + 1) * channels + ch],
                    values[(4 + 2 * ox) * channels + ch],
                    values[(4 + 2 * ox + 1) * channels + ch],
                ];
                Assert.Equal(window.Max(), pooled[ox * channels + ch]);
                var winner = Array.IndexOf(window, window.Max());
                Assert.Equal(winner, (int)winners[ox * channels + ch]);
                for (var corner = 0; corner < 4; corner++)
                {
                    var at = ((corner >> 1) * 4 + 2 * ox + (corner & 1)) * channels + ch;
                    Assert.Equal(corner == winner ? upstream[ox * channels + ch] : 0f, gradient[at]);
                }
            }
        }
    }
}
