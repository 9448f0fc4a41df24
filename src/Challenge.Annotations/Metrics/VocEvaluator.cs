using Challenge.Annotations.Model;

namespace Challenge.Annotations.Metrics;

/// <summary>Pascal VOC AP at IoU 0.5 per class (-1 where the class has no ground truth) and their mean.</summary>
public sealed record VocMetrics(double MeanAp50, IReadOnlyDictionary<long, double> Ap50ByCategory);

/// <summary>
/// Pascal VOC AP50 as the VOC2010+ devkit computes it (voc_eval with use_07_metric=False): all-point interpolated
/// precision, a detection is a true positive when its best-overlapping ground truth of the class has IoU strictly
/// above 0.5 and is not already taken; "difficult" objects (crowd boxes here) neither count nor penalise. Boxes are
/// continuous pixel rectangles, so IoU has no +1 as in the 2007 integer-pixel convention.
/// </summary>
public static class VocEvaluator
{
    /// <summary>np.finfo(np.float64).eps, the devkit's guard against 0/0.</summary>
    private const double NumpyFloat64Epsilon = 2.220446049250313e-16;

    public static VocMetrics Evaluate(AnnotationDataset gold, AnnotationDataset detections, IReadOnlySet<long>? imageIds = null)
    {
        bool Kept(BoxAnnotation box) => imageIds is null || imageIds.Contains(box.ImageId);
        var byCategory = new Dictionary<long, double>();
        foreach (var category in gold.Categories)
        {
            var gts = gold.Boxes.Where(b => b.CategoryId == category.Id && Kept(b)).GroupBy(b => b.ImageId).ToDictionary(g => g.Key, g => g.ToArray());
            var positives = gts.Values.Sum(list => list.Count(b => !b.IsCrowd));
            if (positives == 0)
            {
                byCategory[category.Id] = -1;
                continue;
            }

            var candidates = detections.Boxes.Where(b => b.CategoryId == category.Id && Kept(b))
                .OrderByDescending(b => b.Score ?? 1.0).ToArray();
            var used = gts.ToDictionary(p => p.Key, p => new bool[p.Value.Length]);
            var truePositives = new double[candidates.Length];
            var falsePositives = new double[candidates.Length];
            for (var d = 0; d < candidates.Length; d++)
            {
                var detection = candidates[d];
                var best = 0.0;
                var bestIndex = -1;
                var imageGts = gts.GetValueOrDefault(detection.ImageId) ?? [];
                for (var g = 0; g < imageGts.Length; g++)
                {
                    var overlap = BoxGeometry.Iou(detection, imageGts[g]);
                    if (overlap > best)
                    {
                        best = overlap;
                        bestIndex = g;
                    }
                }

                if (best > 0.5)
                {
                    if (imageGts[bestIndex].IsCrowd)
                    {
                        continue;
                    }

                    var taken = used[detection.ImageId];
                    if (!taken[bestIndex])
                    {
                        truePositives[d] = 1;
                        taken[bestIndex] = true;
                    }
                    else
                    {
                        falsePositives[d] = 1;
                    }
                }
                else
                {
                    falsePositives[d] = 1;
                }
            }

            byCategory[category.Id] = AllPointAp(truePositives, falsePositives, positives);
        }

        var valid = byCategory.Values.Where(v => v >= 0).ToList();
        return new VocMetrics(valid.Count == 0 ? -1 : valid.Average(), byCategory);
    }

    private static double AllPointAp(double[] truePositives, double[] falsePositives, int positives)
    {
        var n = truePositives.Length;
        var recall = new double[n + 2];
        var precision = new double[n + 2];
        double tp = 0, fp = 0;
        for (var i = 0; i < n; i++)
        {
            tp += truePositives[i];
            fp += falsePositives[i];
            recall[i + 1] = tp / positives;
            precision[i + 1] = tp / Math.Max(tp + fp, NumpyFloat64Epsilon);
        }

        recall[n + 1] = 1.0;
        for (var i = n + 1; i > 0; i--)
        {
            precision[i - 1] = Math.Max(precision[i - 1], precision[i]);
        }

        var ap = 0.0;
        for (var i = 0; i <= n; i++)
        {
            if (recall[i + 1] != recall[i])
            {
                ap += (recall[i + 1] - recall[i]) * precision[i + 1];
            }
        }

        return ap;
    }
}

/// <summary>Box overlap in continuous pixel coordinates.</summary>
public static class BoxGeometry
{
    public static double Iou(BoxAnnotation a, BoxAnnotation b)
    {
        var w = Math.Min(a.X + a.Width, b.X + b.Width) - Math.Max(a.X, b.X);
        var h = Math.Min(a.Y + a.Height, b.Y + b.Height) - Math.Max(a.Y, b.Y);
        if (w <= 0 || h <= 0)
        {
            return 0;
        }

        var intersection = w * h;
        return intersection / (a.Width * a.Height + b.Width * b.Height - intersection);
    }
}
