namespace Challenge.Ml.Data;

/// <summary>
/// Images as one float array in NHWC order (8-bit sources scaled to [0, 1]), with optional
/// labels and class names. Test and unlabelled sets have no labels.
/// </summary>
public sealed class ImageDataset
{
    public ImageDataset(float[] pixels, int count, int height, int width, int channels, int[]? labels = null, IReadOnlyList<string>? classNames = null)
    {
        if ((long)count * height * width * channels != pixels.Length)
        {
            throw new ArgumentException($"{pixels.Length} pixel values do not make {count} images of {height}x{width}x{channels}.");
        }

        if (labels is not null && labels.Length != count)
        {
            throw new ArgumentException($"{labels.Length} labels for {count} images.");
        }

        if (labels is not null && labels.Any(label => label < 0))
        {
            throw new ArgumentException("Labels must be non-negative class indices.");
        }

        if (classNames is not null && labels is not null && labels.Any(label => label >= classNames.Count))
        {
            throw new ArgumentException($"A label is outside the {classNames.Count} named classes.");
        }

        Pixels = pixels;
        Count = count;
        Height = height;
        Width = width;
        Channels = channels;
        Labels = labels;
        ClassNames = classNames;
    }

    public float[] Pixels { get; }

    public int Count { get; }

    public int Height { get; }

    public int Width { get; }

    public int Channels { get; }

    public int ImageSize => Height * Width * Channels;

    public int[]? Labels { get; }

    public IReadOnlyList<string>? ClassNames { get; }

    public bool IsLabelled => Labels is not null;

    /// <summary>Number of classes: the named ones, else one more than the largest label.</summary>
    public int ClassCount => ClassNames?.Count ?? (Labels is { Length: > 0 } labels ? labels.Max() + 1 : 0);

    public int[] RequireLabels() =>
        Labels ?? throw new InvalidOperationException("This data set has no labels; a labelled training set is needed.");

    public ReadOnlySpan<float> Image(int index) => Pixels.AsSpan(index * ImageSize, ImageSize);

    public ImageDataset Subset(IReadOnlyList<int> indices)
    {
        var pixels = new float[indices.Count * ImageSize];
        for (var i = 0; i < indices.Count; i++)
        {
            Image(indices[i]).CopyTo(pixels.AsSpan(i * ImageSize, ImageSize));
        }

        var labels = Labels is null ? null : indices.Select(i => Labels[i]).ToArray();
        return new ImageDataset(pixels, indices.Count, Height, Width, Channels, labels, ClassNames);
    }

    public ImageDataset WithLabels(int[] labels, IReadOnlyList<string>? classNames) =>
        new(Pixels, Count, Height, Width, Channels, labels, classNames);

    /// <summary>Appends another labelled set of the same image size.</summary>
    public ImageDataset Concat(ImageDataset other)
    {
        if (other.Height != Height || other.Width != Width || other.Channels != Channels)
        {
            throw new ArgumentException($"Cannot join {Height}x{Width}x{Channels} images with {other.Height}x{other.Width}x{other.Channels} ones.");
        }

        var labels = RequireLabels().Concat(other.RequireLabels()).ToArray();
        return new ImageDataset([.. Pixels, .. other.Pixels], Count + other.Count, Height, Width, Channels, labels, ClassNames ?? other.ClassNames);
    }

    /// <summary>
    /// Shuffled split into a training part and a validation part of about
    /// <paramref name="validationFraction"/> of the images (at least one of each when possible).
    /// </summary>
    public (ImageDataset Train, ImageDataset Validation) Split(double validationFraction, int seed)
    {
        var order = Enumerable.Range(0, Count).ToArray();
        new Random(seed).Shuffle(order);
        var validationCount = Math.Clamp((int)Math.Round(Count * validationFraction), 1, Count - 1);
        return (Subset(order[validationCount..]), Subset(order[..validationCount]));
    }

    /// <summary>Picks up to <paramref name="perClass"/> images of each class, in a seeded random order.</summary>
    public (ImageDataset Selected, ImageDataset Remaining) TakePerClass(int perClass, int seed)
    {
        var labels = RequireLabels();
        var order = Enumerable.Range(0, Count).ToArray();
        new Random(seed).Shuffle(order);
        var taken = new Dictionary<int, int>();
        var selected = new List<int>();
        var rest = new List<int>();
        foreach (var index in order)
        {
            var count = taken.GetValueOrDefault(labels[index]);
            if (count < perClass)
            {
                taken[labels[index]] = count + 1;
                selected.Add(index);
            }
            else
            {
                rest.Add(index);
            }
        }

        return (Subset(selected), Subset(rest));
    }
}
