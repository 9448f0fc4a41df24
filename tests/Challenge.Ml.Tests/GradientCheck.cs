using Challenge.Ml.Backends;
using Challenge.Ml.Layers;
using Challenge.Ml.Tensors;

namespace Challenge.Ml.Tests;

/// <summary>
/// Compares a layer's backward pass with central differences of L = sum(forward(x) * r) for a
/// fixed random r. Float32 forward passes limit the precision of the differences, so the step is
/// large (1e-2) and the sum is taken in double.
/// </summary>
internal static class GradientCheck
{
    private const float Step = 1e-2f;

    public static void Layer(Layer layer, CpuBackend backend, float[] input, int[] inputShape, int seed, double tolerance = 2e-2)
    {
        var x = backend.Wrap((float[])input.Clone(), inputShape);
        var output = layer.Forward(x, training: true);
        var projection = GemmTests.RandomValues(new Random(seed), output.Length);
        var outputShape = output.Shape.ToArray();
        var dy = backend.Wrap(projection, outputShape);
        var inputGradient = layer.Backward(dy).ToArray();
        var parameterGradients = layer.Parameters.Select(p => p.Gradient.ToArray()).ToArray();

        double Loss()
        {
            var y = layer.Forward(x, training: true).ToArray();
            double sum = 0;
            for (var i = 0; i < y.Length; i++)
            {
                sum += (double)y[i] * projection[i];
            }

            return sum;
        }

        var xValues = CpuBackend.Array(x);
        AssertClose("input", inputGradient, xValues, Loss, tolerance);
        for (var p = 0; p < layer.Parameters.Count; p++)
        {
            var parameter = layer.Parameters[p];
            AssertClose(parameter.Name, parameterGradients[p], CpuBackend.Array(parameter.Value), Loss, tolerance);
        }
    }

    public static void AssertClose(string what, float[] analytic, float[] values, Func<double> loss, double tolerance)
    {
        var scale = Math.Max(1e-3, analytic.Max(v => Math.Abs(v)));
        for (var i = 0; i < values.Length; i++)
        {
            var original = values[i];
            values[i] = original + Step;
            var plus = loss();
            values[i] = original - Step;
            var minus = loss();
            values[i] = original;
            var numeric = (plus - minus) / (2 * Step);
            var error = Math.Abs(numeric - analytic[i]);
            Assert.True(
                error <= tolerance * scale,
                $"d{what}[{i}]: backward gave {analytic[i]}, central difference {numeric} (error {error:g3}, scale {scale:g3})");
        }
    }
}
