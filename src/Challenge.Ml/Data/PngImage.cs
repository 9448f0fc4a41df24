namespace Challenge.Ml.Data;

/// <summary>A decoded 8-bit image: rows of pixels, channels interleaved (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA).</summary>
public sealed record PngImage(int Width, int Height, int Channels, byte[] Pixels);
