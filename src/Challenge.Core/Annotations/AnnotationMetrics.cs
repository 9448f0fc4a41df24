using Challenge.Core.Tasks;

namespace Challenge.Core.Annotations;

public sealed record AnnotationMetricInfo(string Name, string DisplayName, TaskFamily Family, string Explanation)
{
    // Every annotation and detection metric grows with quality.
    public bool HigherIsBetter => true;
}

// The metrics of annotation and detection tasks, described for the organizer's form and the evaluation page;
// Challenge.Annotations computes them.
public static class AnnotationMetrics
{
    public static IReadOnlyList<AnnotationMetricInfo> All { get; } =
    [
        new("box_f1", "Box F1", TaskFamily.Annotation,
            "Each gold box is paired with at most one of the team's boxes (greedily, highest IoU first, IoU at least 0.5). A pair with the same class is right; precision is right pairs over the team's boxes, recall right pairs over gold boxes, F1 their harmonic mean. Only the images the team labelled are compared, so coverage is ranked apart (see the ranking formula). Missed, extra and wrong-class boxes are listed per image after the end."),
        new("annotation_accuracy", "Honeypot accuracy", TaskFamily.Annotation,
            "The share of the hidden gold (honeypot) images the team labelled whose class agrees with gold. Cohen's kappa on the same images and the share of all images labelled are shown beside it."),
        new("coco_map", "COCO mAP@[.50:.95]", TaskFamily.Detection,
            "Average precision over the ten IoU thresholds 0.50, 0.55, ..., 0.95 and over classes, computed exactly as pycocotools does (101-point interpolation, at most 100 detections per image). Detections need a confidence score. AP50, AP75, AP for small, medium and large objects and AR@1/10/100 are shown beside it."),
        new("coco_map50", "COCO AP50", TaskFamily.Detection,
            "COCO average precision at IoU 0.5 only (pycocotools' AP50): lenient about box placement, strict about finding the objects and ranking them by confidence."),
        new("coco_map75", "COCO AP75", TaskFamily.Detection,
            "COCO average precision at IoU 0.75 (pycocotools' AP75): rewards tight boxes."),
        new("voc_map50", "Pascal VOC mAP50", TaskFamily.Detection,
            "Pascal VOC average precision at IoU 0.5 with all-point interpolation (VOC2010 and later), averaged over classes."),
    ];

    public static AnnotationMetricInfo? Find(string name) =>
        All.FirstOrDefault(m => string.Equals(m.Name, name.Trim(), StringComparison.OrdinalIgnoreCase));

    public static IEnumerable<AnnotationMetricInfo> ForFamily(TaskFamily family) => All.Where(m => m.Family == family);
}
