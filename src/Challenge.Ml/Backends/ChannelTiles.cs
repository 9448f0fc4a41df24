using System.Numerics.Tensors;

namespace Challenge.Ml.Backends;

/// <summary>
/// Per-channel work on a [rows, channels] matrix in long runs: a chunk of several whole rows is
/// one flat span, and per-channel vectors are repeated ("tiled") to the chunk's length, so each
/// TensorPrimitives call covers hundreds of values instead of one narrow row.
/// </summary>
internal sealed class ChannelTiles
{
    private const int TargetChunkLength = 512;

    // Very wide rows (more channels than this) get heap scratch space instead of stack.
    private const int MaxStackFloats = 4096;

    // Partial sums over this many chunks are kept in float before being folded into doubles.
    private const int ChunksPerFold = 16;

    private readonly ParallelOptions _parallelism;

    public ChannelTiles(ParallelOptions parallelism, int channels, int rows)
    {
        _parallelism = parallelism;
        Channels = channels;
        Rows = rows;
        RowsPerChunk = Math.Max(1, TargetChunkLength / channels);
        ChunkLength = RowsPerChunk * channels;
    }

    public int Channels { get; }

    public int Rows { get; }

    public int RowsPerChunk { get; }

    public int ChunkLength { get; }

    private int Length => Rows * Channels;

    public float[] Tile(ReadOnlySpan<float> perChannel)
    {
        var tile = new float[ChunkLength];
        for (var i = 0; i < tile.Length; i += Channels)
        {
            perChannel.CopyTo(tile.AsSpan(i, Channels));
        }

        return tile;
    }

    /// <summary>Calls body(offset, length) for every chunk, in parallel for large matrices.</summary>
    public void ForEachChunk(Action<int, int> body)
    {
        var chunks = (Length + ChunkLength - 1) / ChunkLength;
        if (Length < 1 << 15)
        {
            for (var chunk = 0; chunk < chunks; chunk++)
            {
                Run(chunk);
            }
        }
        else
        {
            Parallel.For(0, chunks, _parallelism, Run);
        }

        void Run(int chunk)
        {
            var offset = chunk * ChunkLength;
            body(offset, Math.Min(ChunkLength, Length - offset));
        }
    }

    /// <summary>Per-channel sums of the values, or of their squared distance to <paramref name="centreTile"/>.</summary>
    public double[] SumChannels(float[] data, float[]? centreTile) =>
        Fold((offset, length, accumulator) =>
        {
            var values = data.AsSpan(offset, length);
            if (centreTile is null)
            {
                TensorPrimitives.Add(accumulator[..length], values, accumulator[..length]);
            }
            else
            {
                Span<float> centred = length <= MaxStackFloats ? stackalloc float[length] : new float[length];
                TensorPrimitives.Subtract(values, centreTile.AsSpan(0, length), centred);
                TensorPrimitives.MultiplyAdd(centred, centred, accumulator[..length], accumulator[..length]);
            }
        });

    /// <summary>Per-channel sums of a[i] * b[i].</summary>
    public double[] SumProducts(float[] a, float[] b) =>
        Fold((offset, length, accumulator) =>
            TensorPrimitives.MultiplyAdd(a.AsSpan(offset, length), b.AsSpan(offset, length), accumulator[..length], accumulator[..length]));

    private double[] Fold(AccumulateChunk accumulate)
    {
        // Groups of chunks are summed in parallel, each into its own partial sums, and the groups
        // are then added in index order. The grouping depends only on the matrix size, so the
        // result is bitwise the same whatever the thread count or scheduling.
        var chunks = (Length + ChunkLength - 1) / ChunkLength;
        var groups = (chunks + ChunksPerFold - 1) / ChunksPerFold;
        var partials = new double[groups * Channels];
        void SumGroup(int group)
        {
            Span<float> accumulator = ChunkLength <= MaxStackFloats ? stackalloc float[ChunkLength] : new float[ChunkLength];
            accumulator.Clear();
            var last = Math.Min(chunks, (group + 1) * ChunksPerFold);
            for (var chunk = group * ChunksPerFold; chunk < last; chunk++)
            {
                var offset = chunk * ChunkLength;
                accumulate(offset, Math.Min(ChunkLength, Length - offset), accumulator);
            }

            var partial = partials.AsSpan(group * Channels, Channels);
            for (var i = 0; i < accumulator.Length; i++)
            {
                partial[i % Channels] += accumulator[i];
            }
        }

        if (Length < 1 << 15)
        {
            for (var group = 0; group < groups; group++)
            {
                SumGroup(group);
            }
        }
        else
        {
            Parallel.For(0, groups, _parallelism, SumGroup);
        }

        var sums = new double[Channels];
        for (var group = 0; group < groups; group++)
        {
            for (var ch = 0; ch < Channels; ch++)
            {
                sums[ch] += partials[group * Channels + ch];
            }
        }

        return sums;
    }

    private delegate void AccumulateChunk(int offset, int length, Span<float> accumulator);
}
