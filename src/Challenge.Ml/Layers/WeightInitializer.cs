using Challenge.Ml.Backends;
using Challenge.Ml.Tensors;

namespace Challenge.Ml.Layers;

internal static class WeightInitializer
{
    /// <summary>He-normal weights, suited to ReLU networks: N(0, 2 / fanIn).</summary>
    public static Tensor HeNormal(IBackend backend, Random random, int fanIn, params int[] shape)
    {
        var values = new float[Tensor.ElementCount(shape)];
        var std = Math.Sqrt(2.0 / fanIn);
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(std * Gaussian(random));
        }

        var tensor = backend.Allocate(shape);
        backend.CopyFromHost(values, tensor);
        return tensor;
    }

    public static Tensor Constant(IBackend backend, float value, params int[] shape)
    {
        var tensor = backend.Allocate(shape);
        if (value != 0f)
        {
            backend.Fill(tensor, value);
        }

        return tensor;
    }

    private static double Gaussian(Random random)
    {
        // Box-Muller; 1 - NextDouble() is in (0, 1], so the logarithm is finite.
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
