using System.Diagnostics;
using Challenge.Ml.Backends;

namespace Challenge.Ml.Bench;

/// <summary>GFLOP/s of the backend's matrix multiply on the shapes the CNN uses.</summary>
internal static class GemmBenchmark
{
    public static void Run(IBackend backend)
    {
        // forward conv2, weight gradient of conv2, input gradient of conv2 at batch 64
        (bool TransposeA, bool TransposeB, int M, int N, int K, string What)[] shapes =
        [
            (false, false, 64 * 14 * 14, 64, 288, "conv2 forward"),
            (true, false, 288, 64, 64 * 14 * 14, "conv2 weight gradient"),
            (false, true, 64 * 14 * 14, 288, 64, "conv2 input gradient"),
            (false, false, 288, 64, 64 * 14 * 14, "same shape, A not transposed"),
            (false, false, 1024, 1024, 1024, "square 1024"),
        ];
        var random = new Random(1);
        foreach (var (transposeA, transposeB, m, n, k, what) in shapes)
        {
            using var a = backend.Allocate(m * k);
            using var b = backend.Allocate(k * n);
            using var c = backend.Allocate(m * n);
            backend.CopyFromHost(Values(random, m * k), a);
            backend.CopyFromHost(Values(random, k * n), b);
            backend.Gemm(transposeA, transposeB, m, n, k, 1f, a, b, 0f, c);
            var repeats = 0;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed.TotalSeconds < 1.5)
            {
                backend.Gemm(transposeA, transposeB, m, n, k, 1f, a, b, 0f, c);
                repeats++;
            }

            // Kernel launches are asynchronous on a GPU: reading a value waits for them.
            backend.CopyToHost(c.Reshape(m * n), new float[m * n]);

            var gflops = 2.0 * m * n * k * repeats / clock.Elapsed.TotalSeconds / 1e9;
            Console.WriteLine($"RESULT gemm {what} ({m}x{k} by {k}x{n}): {gflops:0.0} GFLOP/s");
        }
    }

    private static float[] Values(Random random, int count)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = random.NextSingle() - 0.5f;
        }

        return values;
    }
}
