using Challenge.Ml.Data;

namespace Challenge.Ml.Tests;

/// <summary>
/// Small noisy images of four easy classes: a bright bar on the top, bottom, left or right edge.
/// </summary>
internal static class SyntheticImages
{
    public static readonly string[] ClassNames = ["top", "bottom", "left", "right"];

    public static ImageDataset Bars(int count, int seed, int size = 8, int channels = 1, bool labelled = true, double noise = 0.2)
    {
        var random = new Random(seed);
        var pixels = new float[count * size * size * channels];
        var labels = new int[count];
        for (var n = 0; n < count; n++)
        {
            var label = n % 4;
            labels[n] = label;
            for (var y = 0; y < size; y++)
            {
                for (var x = 0; x < size; x++)
                {
                    var on = label switch
                    {
                        0 => y < 2,
                        1 => y >= size - 2,
                        2 => x < 2,
                        _ => x >= size - 2,
                    };
                    for (var c = 0; c < channels; c++)
                    {
                        var value = (on ? 0.8 : 0.2) + noise * (random.NextDouble() - 0.5);
                        pixels[((n * size + y) * size + x) * channels + c] = (float)value;
                    }
                }
            }
        }

        return new ImageDataset(pixels, count, size, size, channels, labelled ? labels : null, labelled ? ClassNames : null);
    }
}
