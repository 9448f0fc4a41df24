using Challenge.Annotations.Model;

namespace Challenge.Annotations.Metrics;

/// <summary>Average precision of one class; -1 where the class has no ground truth, as the COCO evaluation reports it.</summary>
public sealed record ClassAveragePrecision(long CategoryId, string Name, int GroundTruthCount, int DetectionCount, double Ap, double Ap50, double Ap75);

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
    public static CocoMetrics Evaluate(AnnotationDataset gold, AnnotationDataset detections, IReadOnlySet<long>? imageIds = null)
    {
        var images = gold.Images.Select(i => i.Id).Where(id => imageIds is null || imageIds.Contains(id)).Distinct().Order().ToArray();
        var categories = gold.Categories.OrderBy(c => c.Id).ToArray();
        var imageIndex = new Dictionary<long, int>(images.Length);
        for (var i = 0; i < images.Length; i++)
        {
            imageIndex[images[i]] = i;
        }

        var categoryIndex = new Dictionary<long, int>();
        for (var k = 0; k < categories.Length; k++)
        {
            categoryIndex[categories[k].Id] = k;
        }

        var gt = BoxColumns.Of(gold.Boxes, imageIndex, categoryIndex, images.Length, isDetection: false);
        var dt = BoxColumns.Of(detections.Boxes, imageIndex, categoryIndex, images.Length, isDetection: true);

        var precision = new double[Thresholds, RecallPoints, categories.Length, AreaRanges, _maxDets.Length];
        var recall = new double[Thresholds, categories.Length, AreaRanges, _maxDets.Length];
        var detectionCounts = new int[categories.Length];
        var groundTruthCounts = new int[categories.Length];
        Parallel.For(0, categories.Length, k =>
        {
            var evaluation = new CategoryEvaluation(gt, dt, k);
            evaluation.Run();
            evaluation.Accumulate(k, precision, recall);
            detectionCounts[k] = dt.CategoryEnd(k) - dt.CategoryStart(k);
            groundTruthCounts[k] = Enumerable.Range(gt.CategoryStart(k), gt.CategoryEnd(k) - gt.CategoryStart(k)).Count(i => !gt.Crowd[i]);
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

    /// <summary>
    /// Boxes of the evaluated images and classes as columns, ordered by class, then image, then file order (the
    /// order pycocotools keeps within an image), so that each (class, image) group is one contiguous run.
    /// </summary>
    private sealed class BoxColumns
    {
        public required double[] X { get; init; }
        public required double[] Y { get; init; }
        public required double[] W { get; init; }
        public required double[] H { get; init; }
        public required double[] Area { get; init; }
        public required double[] Score { get; init; }
        public required bool[] Crowd { get; init; }
        public required long[] Id { get; init; }
        public required int[] Image { get; init; }
        public required int[] CategoryStarts { get; init; }

        public int CategoryStart(int k) => CategoryStarts[k];

        public int CategoryEnd(int k) => CategoryStarts[k + 1];

        public static BoxColumns Of(List<BoxAnnotation> boxes, Dictionary<long, int> imageIndex, Dictionary<long, int> categoryIndex, int imageCount, bool isDetection)
        {
            var keys = new List<long>(boxes.Count);
            for (var b = 0; b < boxes.Count; b++)
            {
                if (imageIndex.TryGetValue(boxes[b].ImageId, out var i) && categoryIndex.TryGetValue(boxes[b].CategoryId, out var k))
                {
                    keys.Add(((long)k * imageCount + i) * boxes.Count + b);
                }
            }

            var sorted = keys.ToArray();
            Array.Sort(sorted);
            var n = sorted.Length;
            var columns = new BoxColumns
            {
                X = new double[n], Y = new double[n], W = new double[n], H = new double[n], Area = new double[n], Score = new double[n],
                Crowd = new bool[n], Id = new long[n], Image = new int[n], CategoryStarts = new int[categoryIndex.Count + 1],
            };
            for (var j = 0; j < n; j++)
            {
                var box = boxes[(int)(sorted[j] % boxes.Count)];
                var group = sorted[j] / boxes.Count;
                columns.Image[j] = (int)(group % imageCount);
                columns.CategoryStarts[(int)(group / imageCount) + 1]++;
                columns.X[j] = box.X;
                columns.Y[j] = box.Y;
                columns.W[j] = box.Width;
                columns.H[j] = box.Height;
                // pycocotools' loadRes sets a detection's area to w*h and its iscrowd to 0, whatever the file says.
                columns.Area[j] = isDetection ? box.Width * box.Height : box.EffectiveArea;
                columns.Crowd[j] = !isDetection && box.IsCrowd;
                columns.Score[j] = box.Score ?? 1.0;
                columns.Id[j] = box.Id;
            }

            for (var k = 0; k < categoryIndex.Count; k++)
            {
                columns.CategoryStarts[k + 1] += columns.CategoryStarts[k];
            }

            return columns;
        }
    }

    /// <summary>Per-image matching and accumulation for one category.</summary>
    private sealed class CategoryEvaluation(BoxColumns gt, BoxColumns dt, int category)
    {
        private const int FlagsPerDetection = AreaRanges * Thresholds;

        // Per detection kept (at most 100 per image, in image order then score order): its score, its rank in its
        // image, and per (area range, threshold) whether it is a true positive (1) or a false positive (2).
        private readonly double[] _scores = new double[dt.CategoryEnd(category) - dt.CategoryStart(category)];
        private readonly int[] _ranks = new int[dt.CategoryEnd(category) - dt.CategoryStart(category)];
        private readonly byte[] _flags = new byte[(dt.CategoryEnd(category) - dt.CategoryStart(category)) * FlagsPerDetection];
        private readonly long[] _nonIgnoredGroundTruth = new long[AreaRanges];
        private int _kept;
        private double[] _ious = new double[64];
        private int[] _dtOrder = new int[64];
        private int[] _gtOrder = new int[64];
        private bool[] _gtIgnore = new bool[64];
        private bool[] _gtMatched = new bool[64];

        public void Run()
        {
            int g = gt.CategoryStart(category), gEnd = gt.CategoryEnd(category);
            int d = dt.CategoryStart(category), dEnd = dt.CategoryEnd(category);
            while (g < gEnd || d < dEnd)
            {
                var image = Math.Min(g < gEnd ? gt.Image[g] : int.MaxValue, d < dEnd ? dt.Image[d] : int.MaxValue);
                var gStart = g;
                while (g < gEnd && gt.Image[g] == image)
                {
                    g++;
                }

                var dStart = d;
                while (d < dEnd && dt.Image[d] == image)
                {
                    d++;
                }

                EvaluateImage(gStart, g - gStart, dStart, d - dStart);
            }
        }

        private void EvaluateImage(int gtStart, int gtCount, int dtStart, int dtCount)
        {
            EnsureCapacity(gtCount, dtCount);
            // Highest score first; equal scores keep file order, as numpy's mergesort does.
            for (var i = 0; i < dtCount; i++)
            {
                _dtOrder[i] = dtStart + i;
            }

            if (dtCount > 1)
            {
                Array.Sort(_dtOrder, 0, dtCount, Comparer<int>.Create((a, b) =>
                {
                    var byScore = dt.Score[b].CompareTo(dt.Score[a]);
                    return byScore != 0 ? byScore : a.CompareTo(b);
                }));
            }

            var kept = Math.Min(dtCount, _maxDets[^1]);
            for (var i = 0; i < kept; i++)
            {
                var dIndex = _dtOrder[i];
                for (var j = 0; j < gtCount; j++)
                {
                    _ious[i * gtCount + j] = BoxIou(dIndex, gtStart + j);
                }
            }

            var baseIndex = _kept;
            for (var i = 0; i < kept; i++)
            {
                _scores[baseIndex + i] = dt.Score[_dtOrder[i]];
                _ranks[baseIndex + i] = i;
            }

            _kept += kept;
            for (var a = 0; a < AreaRanges; a++)
            {
                var (min, max) = _areaRanges[a];
                // Stable: non-ignored ground truth first, each group in file order.
                var position = 0;
                for (var j = 0; j < gtCount; j++)
                {
                    if (!IsIgnored(gtStart + j, min, max))
                    {
                        _gtOrder[position++] = j;
                    }
                }

                _nonIgnoredGroundTruth[a] += position;
                for (var j = 0; j < gtCount; j++)
                {
                    if (IsIgnored(gtStart + j, min, max))
                    {
                        _gtOrder[position++] = j;
                    }
                }

                for (var j = 0; j < gtCount; j++)
                {
                    _gtIgnore[j] = IsIgnored(gtStart + _gtOrder[j], min, max);
                }

                for (var t = 0; t < Thresholds; t++)
                {
                    Array.Clear(_gtMatched, 0, gtCount);
                    for (var i = 0; i < kept; i++)
                    {
                        var best = Math.Min(_iouThresholds[t], 1 - 1e-10);
                        var match = -1;
                        for (var j = 0; j < gtCount; j++)
                        {
                            var original = _gtOrder[j];
                            if (_gtMatched[j] && !gt.Crowd[gtStart + original])
                            {
                                continue;
                            }

                            if (match > -1 && !_gtIgnore[match] && _gtIgnore[j])
                            {
                                break;
                            }

                            var iou = _ious[i * gtCount + original];
                            if (iou < best)
                            {
                                continue;
                            }

                            best = iou;
                            match = j;
                        }

                        // pycocotools records a match by the ground truth's id, so a ground truth with id 0 reads as
                        // no match when counting (yet is still used up); kept to agree with it on any input.
                        var matched = match > -1 && gt.Id[gtStart + _gtOrder[match]] != 0;
                        if (match > -1)
                        {
                            _gtMatched[match] = true;
                        }

                        var detectionArea = dt.Area[_dtOrder[i]];
                        var ignore = (match > -1 && _gtIgnore[match]) || (!matched && (detectionArea < min || detectionArea > max));
                        if (!ignore)
                        {
                            _flags[(baseIndex + i) * FlagsPerDetection + a * Thresholds + t] = (byte)(matched ? 1 : 2);
                        }
                    }
                }
            }
        }

        private bool IsIgnored(int g, double min, double max) => gt.Crowd[g] || gt.Area[g] < min || gt.Area[g] > max;

        /// <summary>maskApi.c bbIou: intersection over union, or over the detection's area for a crowd region.</summary>
        private double BoxIou(int d, int g)
        {
            var w = Math.Min(dt.W[d] + dt.X[d], gt.W[g] + gt.X[g]) - Math.Max(dt.X[d], gt.X[g]);
            if (w <= 0)
            {
                return 0;
            }

            var h = Math.Min(dt.H[d] + dt.Y[d], gt.H[g] + gt.Y[g]) - Math.Max(dt.Y[d], gt.Y[g]);
            if (h <= 0)
            {
                return 0;
            }

            var intersection = w * h;
            var dtArea = dt.W[d] * dt.H[d];
            var union = gt.Crowd[g] ? dtArea : dtArea + gt.W[g] * gt.H[g] - intersection;
            return intersection / union;
        }

        private void EnsureCapacity(int gtCount, int dtCount)
        {
            if (_ious.Length < gtCount * dtCount)
            {
                _ious = new double[gtCount * dtCount * 2];
            }

            if (_dtOrder.Length < dtCount)
            {
                _dtOrder = new int[dtCount * 2];
            }

            if (_gtOrder.Length < gtCount)
            {
                _gtOrder = new int[gtCount * 2];
                _gtIgnore = new bool[gtCount * 2];
                _gtMatched = new bool[gtCount * 2];
            }
        }

        public void Accumulate(int k, double[,,,,] precision, double[,,,] recall)
        {
            var count = _kept;
            var sorted = new int[count];
            for (var i = 0; i < count; i++)
            {
                sorted[i] = i;
            }

            // numpy's mergesort is stable: equal scores keep image order, then their order within the image.
            var scores = _scores;
            Array.Sort(sorted, Comparer<int>.Create((x, y) =>
            {
                var byScore = scores[y].CompareTo(scores[x]);
                return byScore != 0 ? byScore : x.CompareTo(y);
            }));

            var precisionCurve = new double[count];
            var recallCurve = new double[count];
            for (var m = 0; m < _maxDets.Length; m++)
            {
                var maxDet = _maxDets[m];
                var within = Array.FindAll(sorted, index => _ranks[index] < maxDet);
                for (var a = 0; a < AreaRanges; a++)
                {
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
                        var nd = within.Length;
                        var flagOffset = a * Thresholds + t;
                        for (var i = 0; i < nd; i++)
                        {
                            var flag = _flags[within[i] * FlagsPerDetection + flagOffset];
                            tp += flag & 1;
                            fp += flag >> 1;
                            recallCurve[i] = (double)tp / positives;
                            precisionCurve[i] = tp / ((double)fp + tp + NumpySpacingOfOne);
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
