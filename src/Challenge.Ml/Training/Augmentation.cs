namespace Challenge.Ml.Training;

/// <summary>
/// Random label-preserving changes applied to training images: a horizontal flip half of the
/// time and a shift of up to <see cref="MaxShift"/> pixels each way, filled with the mean.
/// </summary>
public sealed record Augmentation(bool HorizontalFlip, int MaxShift)
{
    public static Augmentation None { get; } = new(false, 0);

    public static Augmentation FlipAndShift { get; } = new(true, 2);

    public bool IsNone => !HorizontalFlip && MaxShift == 0;

    /// <summary>
    /// Writes one normalised image into <paramref name="target"/>, flipped and shifted as drawn
    /// from <paramref name="random"/>. Zero in normalised space is the channel mean, so the empty
    /// border a shift leaves looks like average background.
    /// </summary>
    public void Apply(ReadOnlySpan<float> source, Span<float> target, int height, int width, int channels, Random random)
    {
        var flip = HorizontalFlip && random.Next(2) == 1;
        var dy = MaxShift > 0 ? random.Next(-MaxShift, MaxShift + 1) : 0;
        var dx = MaxShift > 0 ? random.Next(-MaxShift, MaxShift + 1) : 0;
        if (!flip && dx == 0 && dy == 0)
        {
            source.CopyTo(target);
            return;
        }

        for (var y = 0; y < height; y++)
        {
            var sy = y - dy;
            for (var x = 0; x < width; x++)
            {
                var sx = flip ? width - 1 - (x - dx) : x - dx;
                var destination = target.Slice((y * width + x) * channels, channels);
                if ((uint)sy < (uint)height && (uint)sx < (uint)width)
                {
                    source.Slice((sy * width + sx) * channels, channels).CopyTo(destination);
                }
                else
                {
                    destination.Clear();
                }
            }
        }
    }
}
