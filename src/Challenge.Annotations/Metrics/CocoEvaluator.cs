using Challenge.Annotations.Model;

namespace Challenge.Annotations.Metrics;

/// <summary>Average precision of one class; -1 where the class has no ground truth, as the COCO evaluation reports it.</summary>
public sealed record ClassAveragePrecision(int CategoryId, string Name, int GroundTruthCount, int DetectionCount, double Ap, double Ap50, double Ap75);

/// <summary>
/// The twelve COCO summary figures (each -1 when nothing could be measured, as pycocotools prints it) and the
/// per-class AP. Classes without ground truth are left out of every mean.
/// </summary>
public sealed record CocoMetrics(
    double Ap,
    double Ap50,
    double Ap75,
    double ApSmall,
    double ApMedium,
    double ApLarge,
    double Ar1,
    double Ar10,
    double Ar100,
    double ArSmall,
    double ArMedium,
    double ArLarge,
    IReadOnlyList<ClassAveragePrecision> PerClass);

/// <summary>
/// COCO bounding-box evaluation with the semantics of pycocotools' <c>COCOeval</c> (iouType "bbox"), reproduced
/// step by step so that results agree to rounding: IoU thresholds 0.50:0.05:0.95 and recall points 0:0.01:1 built
/// as numpy's linspace builds them, at most 100 detections per image and class kept by score (stable sort),
/// ground truth outside the area range or crowd ignored, crowd regions matched any number of times with the
/// detection's own area as union, 101-point interpolated precision, and -1 for settings without ground truth.
/// </summary>
public static class CocoEvaluator
{
    private const int Thresholds = 10;
    private const int RecallPoints = 101;
    private const int AreaRanges = 4;

    /// <summary>np.spacing(1), the epsilon pycocotools adds to keep 0/0 out of the precision.</summary>
    private const double NumpySpacingOfOne = 2.220446049250313e-16;
    private static readonly int[] _maxDets = [1, 10, 100];
    private static readonly double[] _iouThresholds = Linspace(0.5, 0.95, Thresholds);
    private static readonly double[] _recallThresholds = Linspace(0.0, 1.0, RecallPoints);
    private static readonly (double Min, double Max)[] _areaRanges =
        [(0, 1e5 * 1e5), (0, 32 * 32), (32 * 32, 96 * 96), (96 * 96, 1e5 * 1e5)];

    /// <summary>numpy.linspace(start, stop, num): i * ((stop - start) / (num - 1)) + start, the last point exactly stop.</summary>
    private static double[] Linspace(double start, double stop, int count)
    {
        var step = (stop - start) / (count - 1);
        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = i * step + start;
        }

        values[^1] = stop;
        return values;
    }

    /// <summary>Evaluates detections against gold boxes; <paramref name="imageIds"/> restricts both to a part of the images.</summary>
    public static CocoMetrics Evaluate(AnnotationDataset gold, AnnotationDataset detections, IReadOnlySet<int>? imageIds = null)
    {
        var images = gold.Images.Select(i => i.Id).Where(id => imageIds is null || imageIds.Contains(id)).Distinct().Order().ToArray();
        var categories = gold.Categories.OrderBy(c => c.Id).ToArray();
        var imageIndex = new Dictionary<int, int>(images.Length);
        for (var i = 0; i < images.Length; i++)
        {
            imageIndex[images[i]] = i;
        }

        var categoryIndex = new Dictionary<int, int>();
        for (var k = 0; k < categories.Length; k++)
        {
            categoryIndex[categories[k].Id] = k;
        }

        var gtGroups = Group(gold.Boxes, imageIndex, categoryIndex, images.Length);
        var dtGroups = Group(detections.Boxes, imageIndex, categoryIndex, images.Length);

        var precision = new double[Thresholds, RecallPoints, categories.Length, AreaRanges, _maxDets.Length];
        var recall = new double[Thresholds, categories.Length, AreaRanges, _maxDets.Length];
        var detectionCounts = new int[categories.Length];
        var groundTruthCounts = new int[categories.Length];
        Parallel.For(0, categories.Length, k =>
        {
            var evaluation = new CategoryEvaluation(gold.Boxes, detections.Boxes);
            evaluation.Run(gtGroups[k], dtGroups[k]);
            evaluation.Accumulate(k, precision, recall);
            detectionCounts[k] = dtGroups[k].Sum(g => g.Value.Count);
            groundTruthCounts[k] = gtGroups[k].Sum(g => g.Value.Count(i => !gold.Boxes[i].IsCrowd));
        });

        var perClass = categories.Select((c, k) => new ClassAveragePrecision(c.Id, c.Name, groundTruthCounts[k], detectionCounts[k],
            MeanPrecision(precision, null, k, 0, 2), MeanPrecision(precision, ThresholdIndex(0.5), k, 0, 2),
            MeanPrecision(precision, ThresholdIndex(0.75), k, 0, 2))).ToList();
        return new CocoMetrics(
            MeanPrecision(precision, null, null, 0, 2),
            MeanPrecision(precision, ThresholdIndex(0.5), null, 0, 2),
            MeanPrecision(precision, ThresholdIndex(0.75), null, 0, 2),
            MeanPrecision(precision, null, null, 1, 2),
            MeanPrecision(precision, null, null, 2, 2),
            MeanPrecision(precision, null, null, 3, 2),
            MeanRecall(recall, 0, 0),
            MeanRecall(recall, 0, 1),
            MeanRecall(recall, 0, 2),
            MeanRecall(recall, 1, 2),
            MeanRecall(recall, 2, 2),
            MeanRecall(recall, 3, 2),
            perClass);
    }

    /// <summary>pycocotools selects a threshold with <c>np.where(iouThr == p.iouThrs)</c>: exact equality, nothing if none.</summary>
    private static int ThresholdIndex(double threshold) => Array.IndexOf(_iouThresholds, threshold);

    private static double MeanPrecision(double[,,,,] precision, int? threshold, int? category, int area, int maxDet)
    {
        if (threshold == -1)
        {
            return -1;
        }

        double sum = 0;
        long count = 0;
        for (var t = 0; t < Thresholds; t++)
        {
            if (threshold is { } only && t != only)
            {
                continue;
            }

            for (var k = 0; k < precision.GetLength(2); k++)
            {
                if (category is { } onlyCategory && k != onlyCategory)
                {
                    continue;
                }

                for (var r = 0; r < RecallPoints; r++)
                {
                    var value = precision[t, r, k, area, maxDet];
                    if (value > -1)
                    {
                        sum += value;
                        count++;
                    }
                }
            }
        }

        return count == 0 ? -1 : sum / count;
    }

    private static double MeanRecall(double[,,,] recall, int area, int maxDet)
    {
        double sum = 0;
        long count = 0;
        for (var t = 0; t < Thresholds; t++)
        {
            for (var k = 0; k < recall.GetLength(1); k++)
            {
                var value = recall[t, k, area, maxDet];
                if (value > -1)
                {
                    sum += value;
                    count++;
                }
            }
        }

        return count == 0 ? -1 : sum / count;
    }

    /// <summary>Per category, the boxes of each image (by image index, ascending), in file order.</summary>
    private static SortedList<int, List<int>>[] Group(List<BoxAnnotation> boxes, Dictionary<int, int> imageIndex, Dictionary<int, int> categoryIndex, int imageCount)
    {
        var groups = new Dictionary<int, List<int>>[categoryIndex.Count];
        for (var k = 0; k < groups.Length; k++)
        {
            groups[k] = [];
        }

        for (var b = 0; b < boxes.Count; b++)
        {
            var box = boxes[b];
            if (!imageIndex.TryGetValue(box.ImageId, out var i) || !categoryIndex.TryGetValue(box.CategoryId, out var k))
            {
                continue;
            }

            if (!groups[k].TryGetValue(i, out var list))
            {
                list = [];
                groups[k].Add(i, list);
            }

            list.Add(b);
        }

        return groups.Select(g => new SortedList<int, List<int>>(g)).ToArray();
    }

    /// <summary>Per-image matching and accumulation for one category.</summary>
    private sealed class CategoryEvaluation(List<BoxAnnotation> gold, List<BoxAnnotation> detections)
    {
        // Per detection kept (at most 100 per image, in image order then score order): its score, its rank in its
        // image, and per (area range, threshold) whether it is a true positive (bit 0) or a false positive (bit 1).
        private readonly List<double> _scores = [];
        private readonly List<int> _ranks = [];
        private readonly List<byte> _flags = [];
        private readonly long[] _nonIgnoredGroundTruth = new long[AreaRanges];

        public void Run(SortedList<int, List<int>> gtByImage, SortedList<int, List<int>> dtByImage)
        {
            var empty = new List<int>();
            foreach (var image in gtByImage.Keys.Union(dtByImage.Keys).Order())
            {
                EvaluateImage(gtByImage.GetValueOrDefault(image) ?? empty, dtByImage.GetValueOrDefault(image) ?? empty);
            }
        }

        private void EvaluateImage(List<int> gtIndexes, List<int> dtIndexes)
        {
            var dts = dtIndexes.Select((index, order) => (index, order))
                .OrderByDescending(d => detections[d.index].Score ?? 1.0)
                .ThenBy(d => d.order)
                .Take(_maxDets[^1])
                .Select(d => detections[d.index])
                .ToArray();
            var gts = gtIndexes.Select(i => gold[i]).ToArray();
            var ious = ComputeIous(dts, gts);
            var baseFlag = _flags.Count;
            for (var d = 0; d < dts.Length; d++)
            {
                _scores.Add(dts[d].Score ?? 1.0);
                _ranks.Add(d);
                for (var f = 0; f < AreaRanges * Thresholds; f++)
                {
                    _flags.Add(0);
                }
            }

            var order = new int[gts.Length];
            var gtIgnore = new bool[gts.Length];
            var gtMatched = new bool[gts.Length];
            for (var a = 0; a < AreaRanges; a++)
            {
                var (min, max) = _areaRanges[a];
                var ignored = gts.Select(g => g.IsCrowd || g.EffectiveArea < min || g.EffectiveArea > max).ToArray();
                // Stable: non-ignored ground truth first, each group in file order.
                var position = 0;
                for (var g = 0; g < gts.Length; g++)
                {
                    if (!ignored[g])
                    {
                        order[position++] = g;
                    }
                }

                _nonIgnoredGroundTruth[a] += position;
                for (var g = 0; g < gts.Length; g++)
                {
                    if (ignored[g])
                    {
                        order[position++] = g;
                    }
                }

                for (var g = 0; g < gts.Length; g++)
                {
                    gtIgnore[g] = ignored[order[g]];
                }

                for (var t = 0; t < Thresholds; t++)
                {
                    Array.Clear(gtMatched);
                    for (var d = 0; d < dts.Length; d++)
                    {
                        var best = Math.Min(_iouThresholds[t], 1 - 1e-10);
                        var match = -1;
                        for (var g = 0; g < gts.Length; g++)
                        {
                            var original = order[g];
                            if (gtMatched[g] && !gts[original].IsCrowd)
                            {
                                continue;
                            }

                            if (match > -1 && !gtIgnore[match] && gtIgnore[g])
                            {
                                break;
                            }

                            var iou = ious[d, original];
                            if (iou < best)
                            {
                                continue;
                            }

                            best = iou;
                            match = g;
                        }

                        // pycocotools records a match by the ground truth's id, so a ground truth with id 0 reads as
                        // no match when counting (yet is still used up); kept to agree with it on any input.
                        var matched = match > -1 && gts[order[match]].Id != 0;
                        if (match > -1)
                        {
                            gtMatched[match] = true;
                        }

                        var detectionArea = dts[d].Width * dts[d].Height;
                        var ignore = (match > -1 && gtIgnore[match]) || (!matched && (detectionArea < min || detectionArea > max));
                        if (!ignore)
                        {
                            _flags[baseFlag + d * AreaRanges * Thresholds + a * Thresholds + t] = (byte)(matched ? 1 : 2);
                        }
                    }
                }
            }
        }

        /// <summary>maskApi.c bbIou: intersection over union, or over the detection's area for a crowd region.</summary>
        private static double[,] ComputeIous(BoxAnnotation[] dts, BoxAnnotation[] gts)
        {
            var ious = new double[dts.Length, gts.Length];
            for (var g = 0; g < gts.Length; g++)
            {
                var gt = gts[g];
                var gtArea = gt.Width * gt.Height;
                for (var d = 0; d < dts.Length; d++)
                {
                    var dt = dts[d];
                    var w = Math.Min(dt.Width + dt.X, gt.Width + gt.X) - Math.Max(dt.X, gt.X);
                    if (w <= 0)
                    {
                        continue;
                    }

                    var h = Math.Min(dt.Height + dt.Y, gt.Height + gt.Y) - Math.Max(dt.Y, gt.Y);
                    if (h <= 0)
                    {
                        continue;
                    }

                    var intersection = w * h;
                    var dtArea = dt.Width * dt.Height;
                    var union = gt.IsCrowd ? dtArea : dtArea + gtArea - intersection;
                    ious[d, g] = intersection / union;
                }
            }

            return ious;
        }

        public void Accumulate(int k, double[,,,,] precision, double[,,,] recall)
        {
            var count = _scores.Count;
            var sorted = Enumerable.Range(0, count).ToArray();
            var scores = _scores.ToArray();
            // numpy's mergesort is stable: equal scores keep image order, then their order within the image.
            Array.Sort(sorted, (x, y) =>
            {
                var byScore = scores[y].CompareTo(scores[x]);
                return byScore != 0 ? byScore : x.CompareTo(y);
            });

            var precisionCurve = new double[count];
            var recallCurve = new double[count];
            for (var a = 0; a < AreaRanges; a++)
            {
                for (var m = 0; m < _maxDets.Length; m++)
                {
                    var maxDet = _maxDets[m];
                    var positives = _nonIgnoredGroundTruth[a];
                    for (var t = 0; t < Thresholds; t++)
                    {
                        if (positives == 0)
                        {
                            for (var r = 0; r < RecallPoints; r++)
                            {
                                precision[t, r, k, a, m] = -1;
                            }

                            recall[t, k, a, m] = -1;
                            continue;
                        }

                        long tp = 0, fp = 0;
                        var nd = 0;
                        foreach (var index in sorted)
                        {
                            if (_ranks[index] >= maxDet)
                            {
                                continue;
                            }

                            var flag = _flags[index * AreaRanges * Thresholds + a * Thresholds + t];
                            tp += flag & 1;
                            fp += flag >> 1;
                            recallCurve[nd] = (double)tp / positives;
                            precisionCurve[nd] = tp / ((double)fp + tp + NumpySpacingOfOne);
                            nd++;
                        }

                        recall[t, k, a, m] = nd > 0 ? recallCurve[nd - 1] : 0;
                        for (var i = nd - 1; i > 0; i--)
                        {
                            if (precisionCurve[i] > precisionCurve[i - 1])
                            {
                                precisionCurve[i - 1] = precisionCurve[i];
                            }
                        }

                        var position = 0;
                        for (var r = 0; r < RecallPoints; r++)
                        {
                            // np.searchsorted(rc, recThrs, side='left'): the first point whose recall reaches the threshold.
                            while (position < nd && recallCurve[position] < _recallThresholds[r])
                            {
                                position++;
                            }

                            precision[t, r, k, a, m] = position < nd ? precisionCurve[position] : 0;
                        }
                    }
                }
            }
        }
    }
}
