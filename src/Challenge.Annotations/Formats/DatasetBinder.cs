using Challenge.Annotations.Model;

namespace Challenge.Annotations.Formats;

/// <summary>
/// Turns what a file states into the common model: images matched to the gold set by id or file name, classes by
/// name (or COCO id), and fractional or percent coordinates turned into pixels with the image's size. Everything
/// that cannot be matched is reported; nothing is dropped silently.
/// </summary>
internal sealed class DatasetBinder
{
    private const int MaxReportedErrors = 100;

    private readonly AnnotationDataset? _reference;
    private readonly bool _addUnknownClasses;
    private readonly List<AnnotationError> _errors = [];
    private readonly Dictionary<string, ImageInfo> _byFullName = new(StringComparer.OrdinalIgnoreCase);

    // Every trailing part of each gold path ("train/cam0001.jpg", "cam0001.jpg") and every stem, with all the gold
    // images that carry it: a name shared by two gold images (a project with subsets) must not pick one silently.
    private readonly Dictionary<string, List<ImageInfo>> _bySuffix = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<ImageInfo>> _byStem = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<long, ParsedImage> _matchedBy = [];
    private readonly Dictionary<long, ImageInfo> _byId = [];
    private readonly Dictionary<string, Category> _categoryByName = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<long> _categoryIds = [];
    private int _suppressedErrors;
    private CancellationToken _cancellation;

    private DatasetBinder(AnnotationDataset? reference, bool addUnknownClasses)
    {
        _reference = reference;
        _addUnknownClasses = addUnknownClasses;
        if (reference is null)
        {
            return;
        }

        foreach (var image in reference.Images)
        {
            _byId.TryAdd(image.Id, image);
            _byFullName.TryAdd(image.FileName, image);
            var parts = image.FileName.Split('/', '\\');
            for (var start = 0; start < parts.Length; start++)
            {
                Index(_bySuffix, string.Join('/', parts[start..]), image);
            }

            Index(_byStem, Path.GetFileNameWithoutExtension(BaseName(image.FileName)), image);
        }
    }

    public static (AnnotationDataset Dataset, IReadOnlyList<AnnotationError> Errors) Bind(ParsedDocument document, AnnotationDataset? reference, bool addUnknownClasses = false,
        CancellationToken cancellation = default)
    {
        var binder = new DatasetBinder(reference, addUnknownClasses) { _cancellation = cancellation };
        var dataset = binder.BindDocument(document);
        if (binder._suppressedErrors > 0)
        {
            binder._errors.Add(new AnnotationError("submission", null, $"... and {binder._suppressedErrors} more errors of the same kinds"));
        }

        return (dataset, binder._errors);
    }

    private AnnotationDataset BindDocument(ParsedDocument document)
    {
        var dataset = new AnnotationDataset();
        var declaredNames = new Dictionary<long, string>();
        foreach (var (id, name) in document.DeclaredCategories)
        {
            if (id is { } declaredId)
            {
                declaredNames.TryAdd(declaredId, name);
            }
        }

        if (_reference is null || _addUnknownClasses)
        {
            dataset.Categories.AddRange(_reference?.Categories ?? []);
            foreach (var (id, name) in document.DeclaredCategories)
            {
                if (dataset.FindCategory(name) is null)
                {
                    var categoryId = document.Format == AnnotationFormat.Coco && id is { } cocoId ? cocoId : dataset.Categories.Count + 1;
                    dataset.Categories.Add(new Category(categoryId, name));
                }
            }
        }
        else
        {
            dataset.Categories.AddRange(_reference.Categories);
        }

        foreach (var category in dataset.Categories)
        {
            _categoryByName.TryAdd(category.Name, category);
            _categoryIds.Add(category.Id);
        }

        var images = new Dictionary<long, ImageInfo>();
        var nextImageId = 1L;
        var nextBoxId = 1L;
        var keepIds = document.Format is AnnotationFormat.Coco or AnnotationFormat.CocoResults;
        foreach (var parsed in document.Images)
        {
            _cancellation.ThrowIfCancellationRequested();
            var image = _reference is null ? NewImage(parsed, ref nextImageId) : Match(parsed);
            if (image is null)
            {
                continue;
            }

            if (images.TryAdd(image.Id, image))
            {
                dataset.Images.Add(image);
            }

            foreach (var box in parsed.Boxes)
            {
                var categoryId = ResolveCategory(box, parsed, declaredNames, dataset);
                if (categoryId is null)
                {
                    continue;
                }

                var (scaleX, scaleY) = box.Units switch
                {
                    BoxUnits.Fraction => (image.Width, image.Height),
                    BoxUnits.Percent => (image.Width / 100.0, image.Height / 100.0),
                    _ => (1.0, 1.0),
                };
                dataset.Boxes.Add(new BoxAnnotation(keepIds && box.Id is { } id ? id : nextBoxId, image.Id, categoryId.Value,
                    box.X * scaleX, box.Y * scaleY, box.Width * scaleX, box.Height * scaleY, box.Score, box.IsCrowd, box.Area));
                nextBoxId++;
            }

            foreach (var label in parsed.Labels)
            {
                dataset.ImageLabels.Add(new ImageLabel(image.Id, label));
            }
        }

        if (document.Format == AnnotationFormat.CocoResults)
        {
            dataset.Boxes.Sort((a, b) => a.Id.CompareTo(b.Id));
        }

        return dataset;
    }

    private ImageInfo? NewImage(ParsedImage parsed, ref long nextImageId)
    {
        var id = parsed.Id ?? nextImageId;
        nextImageId = Math.Max(nextImageId, id) + 1;
        var needsSize = parsed.Boxes.Any(b => b.Units != BoxUnits.Pixels);
        if (needsSize && (parsed.Width is not > 0 || parsed.Height is not > 0))
        {
            Report(parsed.Entry, parsed.Line, $"image '{parsed.FileName ?? id.ToString(System.Globalization.CultureInfo.InvariantCulture)}': its size is needed to place normalized boxes; score it against the gold set, which knows the sizes");
            return null;
        }

        return new ImageInfo(id, parsed.FileName ?? $"{id}", parsed.Width ?? 0, parsed.Height ?? 0);
    }

    private ImageInfo? Match(ParsedImage parsed)
    {
        ImageInfo? image = null;
        if (parsed.FileName is { } name)
        {
            var path = name.Replace('\\', '/');
            var baseName = BaseName(path);
            image = _byFullName.GetValueOrDefault(name);
            foreach (var (index, key) in new[]
                     {
                         (_bySuffix, path), (_bySuffix, baseName), (_bySuffix, LabelStudioFormat.StripUploadPrefix(baseName)),
                         (_byStem, Path.GetFileNameWithoutExtension(baseName)), (_byStem, baseName),
                     })
            {
                if (image is not null)
                {
                    break;
                }

                if (index.TryGetValue(key, out var candidates))
                {
                    if (candidates.Count > 1)
                    {
                        Report(parsed.Entry, parsed.Line,
                            $"image '{name}' could be any of {candidates.Count} gold images ({string.Join(", ", candidates.Take(3).Select(c => c.FileName))}); name it with its folder or subset");
                        return null;
                    }

                    image = candidates[0];
                }
            }
        }

        if (image is null && parsed.Id is { } id)
        {
            image = _byId.GetValueOrDefault(id);
        }

        if (image is null)
        {
            var what = parsed.FileName is not null ? $"image '{parsed.FileName}'" : $"image id {parsed.Id}";
            Report(parsed.Entry, parsed.Line, $"{what} matches no image of the gold set (by id or file name)");
            return null;
        }

        if (!_matchedBy.TryAdd(image.Id, parsed) && _matchedBy[image.Id] is var first && !ReferenceEquals(first, parsed))
        {
            Report(parsed.Entry, parsed.Line,
                $"image '{parsed.FileName ?? parsed.Id?.ToString(System.Globalization.CultureInfo.InvariantCulture)}' and image '{first.FileName ?? first.Id?.ToString(System.Globalization.CultureInfo.InvariantCulture)}' both match the gold image '{image.FileName}'; their boxes would be merged onto one image");
            return null;
        }

        return image;
    }

    private static void Index(Dictionary<string, List<ImageInfo>> index, string key, ImageInfo image)
    {
        if (!index.TryGetValue(key, out var images))
        {
            index.Add(key, images = []);
        }

        if (!images.Contains(image))
        {
            images.Add(image);
        }
    }

    private long? ResolveCategory(ParsedBox box, ParsedImage image, Dictionary<long, string> declaredNames, AnnotationDataset dataset)
    {
        var name = box.CategoryName ?? (box.CategoryId is { } id && declaredNames.TryGetValue(id, out var declared) ? declared : null);
        if (name is not null)
        {
            if (!_categoryByName.TryGetValue(name, out var category) && (_reference is null || _addUnknownClasses))
            {
                category = dataset.GetOrAddCategory(name);
                _categoryByName.Add(name, category);
                _categoryIds.Add(category.Id);
            }

            if (category is null)
            {
                Report(image.Entry, box.Line ?? image.Line,
                    $"class '{name}' is not a class of the gold set ({string.Join(", ", _reference!.Categories.Select(c => c.Name))})");
            }

            return category?.Id;
        }

        if (box.CategoryId is { } categoryId && _categoryIds.Contains(categoryId))
        {
            return categoryId;
        }

        Report(image.Entry, box.Line ?? image.Line, $"category id {box.CategoryId} is not a class of the gold set");
        return null;
    }

    private void Report(string entry, int? line, string message)
    {
        if (_errors.Count >= MaxReportedErrors)
        {
            _suppressedErrors++;
            return;
        }

        _errors.Add(new AnnotationError(entry, line, message));
    }

    private static string BaseName(string path)
    {
        var cut = path.LastIndexOfAny(['/', '\\']);
        return cut >= 0 ? path[(cut + 1)..] : path;
    }
}
