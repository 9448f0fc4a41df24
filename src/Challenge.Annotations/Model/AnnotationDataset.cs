namespace Challenge.Annotations.Model;

/// <summary>An image (asset) of a dataset; sizes are in pixels.</summary>
public sealed record ImageInfo(long Id, string FileName, int Width, int Height);

/// <summary>A class that boxes or image labels refer to.</summary>
public sealed record Category(long Id, string Name);

/// <summary>
/// A bounding box in pixels, top-left origin. <see cref="Score"/> is set for model predictions only.
/// <see cref="Area"/> is what COCO calls the object's area: the file's own value where the format carries one
/// (COCO instances), otherwise width times height.
/// </summary>
public sealed record BoxAnnotation(
    long Id,
    long ImageId,
    long CategoryId,
    double X,
    double Y,
    double Width,
    double Height,
    double? Score = null,
    bool IsCrowd = false,
    double? Area = null)
{
    public double EffectiveArea => Area ?? Width * Height;
}

/// <summary>An image-level class given by a classification job (e.g. MARINE_DEBRIS for a crop).</summary>
public sealed record ImageLabel(long ImageId, string ClassName);

/// <summary>The common in-memory shape every format reads into and writes from.</summary>
public sealed class AnnotationDataset
{
    public List<ImageInfo> Images { get; } = [];
    public List<Category> Categories { get; } = [];
    public List<BoxAnnotation> Boxes { get; } = [];
    public List<ImageLabel> ImageLabels { get; } = [];

    public Category? FindCategory(string name) =>
        Categories.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));

    public Dictionary<long, ImageInfo> ImagesById() => Images.ToDictionary(i => i.Id);

    /// <summary>Adds the category if no category of that name exists yet, and returns it.</summary>
    public Category GetOrAddCategory(string name)
    {
        var existing = FindCategory(name);
        if (existing is not null)
        {
            return existing;
        }

        var created = new Category(Categories.Count == 0 ? 1 : Categories.Max(c => c.Id) + 1, name);
        Categories.Add(created);
        return created;
    }
}
