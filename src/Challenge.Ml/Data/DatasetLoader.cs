namespace Challenge.Ml.Data;

/// <summary>
/// Opens a data set by path: .npz (images and optional labels and class names), .npy (images
/// only), an IDX images file (labels beside it are picked up), or a folder or .zip of image files.
/// </summary>
public static class DatasetLoader
{
    private static readonly string[] ImageKeys = ["x", "X", "images", "image", "imgs", "data", "x_train", "x_test", "X_train", "X_test", "inputs"];
    private static readonly string[] LabelKeys = ["y", "Y", "labels", "label", "targets", "target", "y_train", "y_test", "classes_idx"];
    private static readonly string[] ClassNameKeys = ["class_names", "classes", "label_names", "categories"];

    /// <param name="shape">For image files: the shape to resize them to (a test set takes its training set's). Arrays keep their own shape.</param>
    public static ImageDataset Load(string path, ImageShape? shape = null)
    {
        if (Directory.Exists(path))
        {
            return ImageFolderReader.ReadFolder(path, shape);
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No data set at {path}.", path);
        }

        var name = Path.GetFileName(path).ToLowerInvariant();
        return name switch
        {
            _ when name.EndsWith(".npz", StringComparison.Ordinal) => FromArrays(NpyReader.ReadNpz(path), path),
            _ when name.EndsWith(".npy", StringComparison.Ordinal) => Images(NpyReader.ReadNpy(path), path),
            _ when name.EndsWith(".zip", StringComparison.Ordinal) => ImageFolderReader.ReadZip(path, shape),
            _ when name.Contains("idx", StringComparison.Ordinal) || name.Contains("ubyte", StringComparison.Ordinal) =>
                IdxReader.ReadImagesWithLabels(path),
            _ when ImageFolderReader.ImageExtensions.Any(e => name.EndsWith(e, StringComparison.Ordinal)) =>
                throw new NotSupportedException($"{path} is a single image; give a folder or .zip of images with a labels.csv."),
            _ => throw new NotSupportedException(
                $"{path}: unknown data format; expected .npz, .npy, an IDX file, or a folder or .zip of images (PNG, JPEG, …)."),
        };
    }

    /// <summary>Finds the image array, the label array and class names among the arrays of an .npz file.</summary>
    public static ImageDataset FromArrays(IReadOnlyDictionary<string, NpyArray> arrays, string source)
    {
        var images = Find(arrays, ImageKeys, a => a.Rank is 3 or 4 && !a.IsString)
            ?? throw new InvalidDataException(
                $"{source} has no image array of shape [N, H, W] or [N, H, W, C]; arrays: {Describe(arrays)}.");
        var dataset = Images(images, source);
        var labels = Find(arrays, LabelKeys, a => a.Rank == 1 && a.IsInteger && a.Count == dataset.Count);
        if (labels is null)
        {
            return dataset;
        }

        var names = Find(arrays, ClassNameKeys, a => a.Rank == 1 && a.IsString)?.ToStrings();
        return dataset.WithLabels(labels.ToLabels(), names);
    }

    private static ImageDataset Images(NpyArray array, string source)
    {
        var shape = array.Shape;
        if (array.Rank is not (3 or 4))
        {
            throw new InvalidDataException($"{source}: '{array.Name}' has shape ({string.Join(", ", shape)}); images need [N, H, W] or [N, H, W, C].");
        }

        var channels = array.Rank == 4 ? shape[3] : 1;
        if (array.Rank == 4 && channels > 4 && shape[1] <= 4)
        {
            throw new NotSupportedException(
                $"{source}: '{array.Name}' of shape ({string.Join(", ", shape)}) looks channels-first; images must be channels-last [N, H, W, C].");
        }

        return new ImageDataset(array.ToPixels(), shape[0], shape[1], shape[2], channels);
    }

    private static NpyArray? Find(IReadOnlyDictionary<string, NpyArray> arrays, string[] preferredNames, Func<NpyArray, bool> fits)
    {
        foreach (var key in preferredNames)
        {
            if (arrays.TryGetValue(key, out var array) && fits(array))
            {
                return array;
            }
        }

        var candidates = arrays.Values.Where(fits).ToList();
        return candidates.Count == 1 ? candidates[0] : null;
    }

    private static string Describe(IReadOnlyDictionary<string, NpyArray> arrays) =>
        string.Join("; ", arrays.Values.Select(a => $"{a.Name} {a.Descr} ({string.Join(", ", a.Shape)})"));
}

/// <summary>The size images are brought to: height and width in pixels, 1 (grey) or 3 (RGB) channels.</summary>
public sealed record ImageShape(int Height, int Width, int Channels);
