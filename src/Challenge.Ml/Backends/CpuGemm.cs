using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Challenge.Ml.Backends;

/// <summary>
/// Single-precision matrix multiply: operands are packed into cache-sized panels and a 6x16
/// register-blocked kernel (twelve 256-bit accumulators) does the arithmetic; row blocks of C
/// run in parallel. Each element of C is summed by one thread in a fixed order, so results do
/// not depend on the thread count or scheduling.
/// </summary>
internal static unsafe class CpuGemm
{
    private const int KernelRows = 6;
    private const int KernelCols = 16;

    // 256 depth x 16 columns x 4 bytes = one 16 KiB packed B strip, which stays in L1 while the
    // A strips stream past it.
    private const int DepthBlock = 256;
    private const int MaxRowsPerTask = 96;
    private const long SequentialWorkLimit = 1 << 16;
    private const int DepthChunk = 2048;
    private static readonly ParallelOptions Unbounded = new();

    public static void Multiply(
        bool transposeA,
        bool transposeB,
        int m,
        int n,
        int k,
        float alpha,
        ReadOnlySpan<float> a,
        ReadOnlySpan<float> b,
        float beta,
        Span<float> c,
        ParallelOptions? parallelism = null)
    {
        parallelism ??= Unbounded;
        if (m == 0 || n == 0)
        {
            return;
        }

        if (a.Length < (long)m * k || b.Length < (long)k * n || c.Length < (long)m * n)
        {
            throw new ArgumentException($"Operands are too small for a {m}x{k} by {k}x{n} product.");
        }

        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            var lda = transposeA ? m : k;
            var ldb = transposeB ? k : n;
            if (SplitsDepth(m, n, k))
            {
                MultiplyByDepthChunks(new Problem(transposeA, transposeB, m, n, k, alpha, beta, pa, pb, pc, lda, ldb), parallelism);
                return;
            }

            var problem = new Problem(transposeA, transposeB, m, n, k, alpha, beta, pa, pb, pc, lda, ldb);
            var rowsPerTask = RowsPerTask(m);
            var tasks = (m + rowsPerTask - 1) / rowsPerTask;
            if (tasks == 1 || (long)m * n * k <= SequentialWorkLimit)
            {
                RunRows(problem, 0, m);
            }
            else
            {
                Parallel.For(0, tasks, parallelism, task =>
                {
                    var start = task * rowsPerTask;
                    RunRows(problem, start, Math.Min(m, start + rowsPerTask));
                });
            }
        }
    }

    /// <summary>
    /// A small output with a long inner dimension (weight gradients: k = batch x pixels) gives few
    /// row blocks, each of which would pack all of B. Such products are cut along k instead.
    /// </summary>
    private static bool SplitsDepth(int m, int n, int k) => k >= 2 * DepthChunk && (long)m * n <= 1 << 18;

    private static void MultiplyByDepthChunks(Problem problem, ParallelOptions parallelism)
    {
        var (m, n, k) = (problem.M, problem.N, problem.K);
        var chunks = (k + DepthChunk - 1) / DepthChunk;
        var partials = ArrayPool<float>.Shared.Rent(chunks * m * n);
        try
        {
            fixed (float* pp = partials)
            {
                var partialBase = pp;
                Parallel.For(0, chunks, parallelism, chunk =>
                {
                    var p0 = chunk * DepthChunk;
                    var depth = Math.Min(DepthChunk, k - p0);
                    var a = problem.TransposeA ? problem.A + (long)p0 * problem.Lda : problem.A + p0;
                    var b = problem.TransposeB ? problem.B + p0 : problem.B + (long)p0 * problem.Ldb;
                    var part = new Problem(
                        problem.TransposeA, problem.TransposeB, m, n, depth, 1f, 0f, a, b, partialBase + (long)chunk * m * n, problem.Lda, problem.Ldb);
                    RunRows(part, 0, m);
                });

                // Fixed summation order: the result does not depend on scheduling.
                var result = new Span<float>(problem.C, m * n);
                ScaleRows(problem, 0, m);
                for (var chunk = 0; chunk < chunks; chunk++)
                {
                    var partial = new ReadOnlySpan<float>(pp + (long)chunk * m * n, m * n);
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(partial, problem.Alpha, result, result);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(partials);
        }
    }

    private static int RowsPerTask(int m)
    {
        // About four tasks per core keeps the cores busy when blocks finish unevenly.
        var wanted = (m + 4 * Environment.ProcessorCount - 1) / (4 * Environment.ProcessorCount);
        var rounded = (wanted + KernelRows - 1) / KernelRows * KernelRows;
        return Math.Clamp(rounded, KernelRows, MaxRowsPerTask);
    }

    private static void RunRows(in Problem problem, int rowStart, int rowEnd)
    {
        var rows = rowEnd - rowStart;
        ScaleRows(problem, rowStart, rows);
        if (problem.K == 0 || problem.Alpha == 0f)
        {
            return;
        }

        var rowStrips = (rows + KernelRows - 1) / KernelRows;
        var colStrips = (problem.N + KernelCols - 1) / KernelCols;
        var depth = Math.Min(DepthBlock, problem.K);
        var packedA = ArrayPool<float>.Shared.Rent(rowStrips * KernelRows * depth);
        var packedB = ArrayPool<float>.Shared.Rent(colStrips * KernelCols * depth);
        try
        {
            fixed (float* pa = packedA)
            fixed (float* pb = packedB)
            {
                for (var p0 = 0; p0 < problem.K; p0 += DepthBlock)
                {
                    var kb = Math.Min(DepthBlock, problem.K - p0);
                    PackB(problem, p0, kb, pb);
                    PackA(problem, rowStart, rows, p0, kb, pa);
                    for (var js = 0; js < colStrips; js++)
                    {
                        var j0 = js * KernelCols;
                        var cols = Math.Min(KernelCols, problem.N - j0);
                        var bStrip = pb + js * KernelCols * kb;
                        for (var rs = 0; rs < rowStrips; rs++)
                        {
                            var i0 = rs * KernelRows;
                            var kernelRows = Math.Min(KernelRows, rows - i0);
                            var cTile = problem.C + (long)(rowStart + i0) * problem.N + j0;
                            Kernel(kb, pa + rs * KernelRows * kb, bStrip, cTile, problem.N, problem.Alpha, kernelRows, cols);
                        }
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(packedA);
            ArrayPool<float>.Shared.Return(packedB);
        }
    }

    private static void ScaleRows(in Problem problem, int rowStart, int rows)
    {
        var span = new Span<float>(problem.C + (long)rowStart * problem.N, rows * problem.N);
        if (problem.Beta == 0f)
        {
            span.Clear();
        }
        else if (problem.Beta != 1f)
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(span, problem.Beta, span);
        }
    }

    /// <summary>Packs rows [rowStart, rowStart+rows) x depth [p0, p0+kb) of op(A) as 6-row strips, depth-major.</summary>
    private static void PackA(in Problem problem, int rowStart, int rows, int p0, int kb, float* destination)
    {
        var strips = (rows + KernelRows - 1) / KernelRows;
        if (problem.TransposeA)
        {
            // op(A)[i, p] = A[p, i]: read each stored row once, left to right, and deal its values
            // out to the strips.
            for (var p = 0; p < kb; p++)
            {
                var source = problem.A + (long)(p0 + p) * problem.Lda + rowStart;
                for (var s = 0; s < strips; s++)
                {
                    var target = destination + s * KernelRows * kb + p * KernelRows;
                    var valid = Math.Min(KernelRows, rows - s * KernelRows);
                    var r = 0;
                    for (; r < valid; r++)
                    {
                        target[r] = source[s * KernelRows + r];
                    }

                    for (; r < KernelRows; r++)
                    {
                        target[r] = 0f;
                    }
                }
            }

            return;
        }

        for (var s = 0; s < strips; s++)
        {
            var strip = destination + s * KernelRows * kb;
            var i0 = rowStart + s * KernelRows;
            var valid = Math.Min(KernelRows, rowStart + rows - i0);
            for (var r = 0; r < KernelRows; r++)
            {
                if (r < valid)
                {
                    var source = problem.A + (long)(i0 + r) * problem.Lda + p0;
                    for (var p = 0; p < kb; p++)
                    {
                        strip[p * KernelRows + r] = source[p];
                    }
                }
                else
                {
                    for (var p = 0; p < kb; p++)
                    {
                        strip[p * KernelRows + r] = 0f;
                    }
                }
            }
        }
    }

    /// <summary>Packs depth [p0, p0+kb) x all columns of op(B) as 16-column strips, depth-major.</summary>
    private static void PackB(in Problem problem, int p0, int kb, float* destination)
    {
        var n = problem.N;
        var strips = (n + KernelCols - 1) / KernelCols;
        for (var s = 0; s < strips; s++)
        {
            var strip = destination + s * KernelCols * kb;
            var j0 = s * KernelCols;
            var valid = Math.Min(KernelCols, n - j0);
            if (problem.TransposeB)
            {
                // op(B)[p, j] = B[j, p]: walk each source row once.
                for (var j = 0; j < KernelCols; j++)
                {
                    if (j < valid)
                    {
                        var source = problem.B + (long)(j0 + j) * problem.Ldb + p0;
                        for (var p = 0; p < kb; p++)
                        {
                            strip[p * KernelCols + j] = source[p];
                        }
                    }
                    else
                    {
                        for (var p = 0; p < kb; p++)
                        {
                            strip[p * KernelCols + j] = 0f;
                        }
                    }
                }
            }
            else if (valid == KernelCols)
            {
                for (var p = 0; p < kb; p++)
                {
                    var source = problem.B + (long)(p0 + p) * problem.Ldb + j0;
                    Vector256.Store(Vector256.Load(source), strip + p * KernelCols);
                    Vector256.Store(Vector256.Load(source + 8), strip + p * KernelCols + 8);
                }
            }
            else
            {
                for (var p = 0; p < kb; p++)
                {
                    var source = problem.B + (long)(p0 + p) * problem.Ldb + j0;
                    var target = strip + p * KernelCols;
                    var j = 0;
                    for (; j < valid; j++)
                    {
                        target[j] = source[j];
                    }

                    for (; j < KernelCols; j++)
                    {
                        target[j] = 0f;
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel(int kb, float* a, float* b, float* c, int ldc, float alpha, int rows, int cols)
    {
        var c00 = Vector256<float>.Zero;
        var c01 = Vector256<float>.Zero;
        var c10 = Vector256<float>.Zero;
        var c11 = Vector256<float>.Zero;
        var c20 = Vector256<float>.Zero;
        var c21 = Vector256<float>.Zero;
        var c30 = Vector256<float>.Zero;
        var c31 = Vector256<float>.Zero;
        var c40 = Vector256<float>.Zero;
        var c41 = Vector256<float>.Zero;
        var c50 = Vector256<float>.Zero;
        var c51 = Vector256<float>.Zero;
        for (var p = 0; p < kb; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var a0 = Vector256.Create(a[0]);
            c00 = Vector256.MultiplyAddEstimate(a0, b0, c00);
            c01 = Vector256.MultiplyAddEstimate(a0, b1, c01);
            var a1 = Vector256.Create(a[1]);
            c10 = Vector256.MultiplyAddEstimate(a1, b0, c10);
            c11 = Vector256.MultiplyAddEstimate(a1, b1, c11);
            var a2 = Vector256.Create(a[2]);
            c20 = Vector256.MultiplyAddEstimate(a2, b0, c20);
            c21 = Vector256.MultiplyAddEstimate(a2, b1, c21);
            var a3 = Vector256.Create(a[3]);
            c30 = Vector256.MultiplyAddEstimate(a3, b0, c30);
            c31 = Vector256.MultiplyAddEstimate(a3, b1, c31);
            var a4 = Vector256.Create(a[4]);
            c40 = Vector256.MultiplyAddEstimate(a4, b0, c40);
            c41 = Vector256.MultiplyAddEstimate(a4, b1, c41);
            var a5 = Vector256.Create(a[5]);
            c50 = Vector256.MultiplyAddEstimate(a5, b0, c50);
            c51 = Vector256.MultiplyAddEstimate(a5, b1, c51);
            a += KernelRows;
            b += KernelCols;
        }

        var scale = Vector256.Create(alpha);
        if (rows == KernelRows && cols == KernelCols)
        {
            AddRow(c, c00, c01, scale);
            AddRow(c + ldc, c10, c11, scale);
            AddRow(c + 2 * ldc, c20, c21, scale);
            AddRow(c + 3 * ldc, c30, c31, scale);
            AddRow(c + 4 * ldc, c40, c41, scale);
            AddRow(c + 5 * ldc, c50, c51, scale);
            return;
        }

        var tile = stackalloc float[KernelRows * KernelCols];
        StoreRow(tile, c00, c01, scale);
        StoreRow(tile + 16, c10, c11, scale);
        StoreRow(tile + 32, c20, c21, scale);
        StoreRow(tile + 48, c30, c31, scale);
        StoreRow(tile + 64, c40, c41, scale);
        StoreRow(tile + 80, c50, c51, scale);
        for (var r = 0; r < rows; r++)
        {
            for (var j = 0; j < cols; j++)
            {
                c[r * ldc + j] += tile[r * KernelCols + j];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddRow(float* c, Vector256<float> low, Vector256<float> high, Vector256<float> scale)
    {
        Vector256.Store(Vector256.MultiplyAddEstimate(low, scale, Vector256.Load(c)), c);
        Vector256.Store(Vector256.MultiplyAddEstimate(high, scale, Vector256.Load(c + 8)), c + 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* tile, Vector256<float> low, Vector256<float> high, Vector256<float> scale)
    {
        Vector256.Store(low * scale, tile);
        Vector256.Store(high * scale, tile + 8);
    }

    private readonly struct Problem(
        bool transposeA,
        bool transposeB,
        int m,
        int n,
        int k,
        float alpha,
        float beta,
        float* a,
        float* b,
        float* c,
        int lda,
        int ldb)
    {
        public bool TransposeA { get; } = transposeA;

        public bool TransposeB { get; } = transposeB;

        public int M { get; } = m;

        public int N { get; } = n;

        public int K { get; } = k;

        public float Alpha { get; } = alpha;

        public float Beta { get; } = beta;

        public float* A { get; } = a;

        public float* B { get; } = b;

        public float* C { get; } = c;

        /// <summary>Distance between consecutive rows of A as stored (k, or m when transposed).</summary>
        public int Lda { get; } = lda;

        /// <summary>Distance between consecutive rows of B as stored (n, or k when transposed).</summary>
        public int Ldb { get; } = ldb;
    }
}
