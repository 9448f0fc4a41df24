namespace Challenge.Annotations.Formats;

/// <summary>The annotation formats read and written; the names are those accepted by <c>--format</c>.</summary>
public enum AnnotationFormat
{
    /// <summary>COCO instances JSON: images, categories and annotations with pixel <c>bbox</c> [x, y, w, h].</summary>
    Coco,

    /// <summary>COCO detection results: a JSON array of <c>image_id</c>, <c>category_id</c>, <c>bbox</c>, <c>score</c>.</summary>
    CocoResults,

    /// <summary>Kili native export: assets with <c>jsonResponse</c>; single JSON file or a zip of one file per asset.</summary>
    Kili,

    /// <summary>YOLO zip: <c>labels/*.txt</c> with normalized <c>class cx cy w h [score]</c>, names from classes.txt or data.yaml.</summary>
    Yolo,

    /// <summary>Pascal VOC: a zip of XML files with <c>bndbox</c> in pixels.</summary>
    PascalVoc,

    /// <summary>Label Studio JSON export: <c>rectanglelabels</c> in percent, <c>choices</c> for image classes.</summary>
    LabelStudio,

    /// <summary>CVAT for images 1.1 XML (alone or zipped): <c>box</c> with xtl/ytl/xbr/ybr, <c>tag</c> for image classes.</summary>
    Cvat,
}

public static class AnnotationFormatNames
{
    private static readonly Dictionary<string, AnnotationFormat> _byName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["coco"] = AnnotationFormat.Coco,
        ["coco_results"] = AnnotationFormat.CocoResults,
        ["kili"] = AnnotationFormat.Kili,
        ["yolo"] = AnnotationFormat.Yolo,
        ["voc"] = AnnotationFormat.PascalVoc,
        ["pascal_voc"] = AnnotationFormat.PascalVoc,
        ["label_studio"] = AnnotationFormat.LabelStudio,
        ["labelstudio"] = AnnotationFormat.LabelStudio,
        ["cvat"] = AnnotationFormat.Cvat,
    };

    public static IReadOnlyCollection<string> Names => _byName.Keys;

    public static bool TryParse(string name, out AnnotationFormat format) => _byName.TryGetValue(name.Trim(), out format);
}
