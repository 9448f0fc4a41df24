using Challenge.Ml.Backends;

namespace Challenge.Ml.Tests;

public class GemmTests
{
    [Theory]
    [InlineData(false, false, 1, 1, 1)]
    [InlineData(false, false, 7, 17, 5)]
    [InlineData(true, false, 13, 33, 300)]
    [InlineData(false, true, 200, 19, 9)]
    [InlineData(true, true, 31, 16, 257)]
    [InlineData(false, false, 600, 64, 288)]
    [InlineData(true, false, 288, 64, 600)]
    [InlineData(false, true, 600, 288, 64)]
    [InlineData(true, false, 9, 32, 5000)]
    [InlineData(false, true, 20, 10, 4500)]
    public void Matches_a_naive_product_for_every_layout(bool transposeA, bool transposeB, int m, int n, int k)
    {
        var random = new Random(m * 31 + n * 7 + k);
        var a = RandomValues(random, m * k);
        var b = RandomValues(random, k * n);
        var c = RandomValues(random, m * n);
        var expected = Naive(transposeA, transposeB, m, n, k, 0.5f, a, b, 2f, c);

        var backend = new CpuBackend();
        var ta = backend.Wrap(a, a.Length);
        var tb = backend.Wrap(b, b.Length);
        var tc = backend.Wrap((float[])c.Clone(), c.Length);
        backend.Gemm(transposeA, transposeB, m, n, k, 0.5f, ta, tb, 2f, tc);

        var actual = tc.ToArray();
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(
                Math.Abs(expected[i] - actual[i]) <= 1e-4 * (1 + Math.Abs(expected[i])) * Math.Sqrt(k),
                $"C[{i}] expected {expected[i]} but got {actual[i]}");
        }
    }

    [Fact]
    public void Beta_zero_ignores_garbage_in_the_output()
    {
        var backend = new CpuBackend();
        var a = backend.Wrap([1, 2, 3, 4], 2, 2);
        var b = backend.Wrap([1, 0, 0, 1], 2, 2);
        var c = backend.Wrap([float.NaN, float.NaN, float.NaN, float.NaN], 2, 2);
        backend.Gemm(false, false, 2, 2, 2, 1f, a, b, 0f, c);
        Assert.Equal([1f, 2f, 3f, 4f], c.ToArray());
    }

    [Fact]
    public void Large_products_are_bitwise_identical_across_runs()
    {
        var random = new Random(5);
        var a = RandomValues(random, 700 * 300);
        var b = RandomValues(random, 300 * 70);
        var backend = new CpuBackend();
        var first = backend.Allocate(700, 70);
        var second = backend.Allocate(700, 70);
        backend.Gemm(false, false, 700, 70, 300, 1f, backend.Wrap(a, a.Length), backend.Wrap(b, b.Length), 0f, first);
        backend.Gemm(false, false, 700, 70, 300, 1f, backend.Wrap(a, a.Length), backend.Wrap(b, b.Length), 0f, second);
        Assert.Equal(first.ToArray(), second.ToArray());
    }

    internal static float[] RandomValues(Random random, int count)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = (float)(random.NextDouble() * 2 - 1);
        }

        return values;
    }

    private static double[] Naive(bool transposeA, bool transposeB, int m, int n, int k, float alpha, float[] a, float[] b, float beta, float[] c)
    {
        var result = new double[m * n];
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                double sum = 0;
                for (var p = 0; p < k; p++)
                {
                    var av = transposeA ? a[p * m + i] : a[i * k + p];
                    var bv = transposeB ? b[j * k + p] : b[p * n + j];
                    sum += (double)av * bv;
                }

                result[i * n + j] = alpha * sum + beta * c[i * n + j];
            }
        }

        return result;
    }
}
