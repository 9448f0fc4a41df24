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
    private readonly Dictionary<string, ImageInfo> _byBaseName = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, ImageInfo> _byStem = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<long, ImageInfo> _byId = [];
    private readonly Dictionary<string, Category> _categoryByName = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<long> _categoryIds = [];
    private int _suppressedErrors;

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
            _byBaseName.TryAdd(BaseName(image.FileName), image);
            _byStem.TryAdd(Path.GetFileNameWithoutExtension(BaseName(image.FileName)), image);
        }
    }

    public static (AnnotationDataset Dataset, IReadOnlyList<AnnotationError> Errors) Bind(ParsedDocument document, AnnotationDataset? reference, bool addUnknownClasses = false)
    {
        var binder = new DatasetBinder(reference, addUnknownClasses);
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
            var baseName = BaseName(name);
            image = _byFullName.GetValueOrDefault(name)
                ?? _byBaseName.GetValueOrDefault(baseName)
                ?? _byBaseName.GetValueOrDefault(LabelStudioFormat.StripUploadPrefix(baseName))
                ?? _byStem.GetValueOrDefault(Path.GetFileNameWithoutExtension(baseName))
                ?? _byStem.GetValueOrDefault(baseName);
        }

        if (image is null && parsed.Id is { } id)
        {
            image = _byId.GetValueOrDefault(id);
        }

        if (image is null)
        {
            var what = parsed.FileName is not null ? $"image '{parsed.FileName}'" : $"image id {parsed.Id}";
            Report(parsed.Entry, parsed.Line, $"{what} matches no image of the gold set (by id or file name)");
        }

        return image;
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
