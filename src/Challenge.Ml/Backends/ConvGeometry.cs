namespace Challenge.Ml.Backends;

/// <summary>Sizes of one 2-D convolution over a batch of NHWC images.</summary>
public readonly record struct ConvGeometry(
    int BatchSize,
    int Height,
    int Width,
    int Channels,
    int KernelSize,
    int Stride,
    int Padding)
{
    public int OutputHeight => (Height + 2 * Padding - KernelSize) / Stride + 1;

    public int OutputWidth => (Width + 2 * Padding - KernelSize) / Stride + 1;

    /// <summary>One im2col row per output pixel of every image.</summary>
    public int ColumnRows => BatchSize * OutputHeight * OutputWidth;

    /// <summary>One im2col column per (ky, kx, channel) tap, channel fastest, matching NHWC.</summary>
    public int ColumnWidth => KernelSize * KernelSize * Channels;
}
