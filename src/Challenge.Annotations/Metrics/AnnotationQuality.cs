using Challenge.Annotations.Model;

namespace Challenge.Annotations.Metrics;

/// <summary>How a team's boxes are compared with gold.</summary>
public sealed record QualityOptions
{
    /// <summary>A team box and a gold box pair up only at this IoU or above.</summary>
    public double IouThreshold { get; init; } = 0.5;

    /// <summary>Restricts the comparison to these images (a public or private part).</summary>
    public IReadOnlySet<long>? ImageIds { get; init; }

    /// <summary>
    /// Compares only the images the team labelled, for annotation challenges where coverage is ranked on its own;
    /// otherwise every gold box on an image the team skipped counts as missed.
    /// </summary>
    public bool LabelledImagesOnly { get; init; }
}

public enum BoxErrorKind
{
    /// <summary>A gold box that no team box matched.</summary>
    Missed,

    /// <summary>A team box that matched no gold box.</summary>
    Extra,

    /// <summary>A team box matched to a gold box of another class.</summary>
    WrongClass,
}

/// <summary>One error on one image, with both boxes where both exist, for a viewer to colour.</summary>
public sealed record BoxError(BoxErrorKind Kind, long ImageId, BoxAnnotation? Gold, BoxAnnotation? Team, double Iou);

public sealed record ClassQuality(long CategoryId, string Name, int GoldCount, int TeamCount, int Correct, double Precision, double Recall, double F1);

/// <summary>
/// Box annotation quality. Precision and recall count a team box as right only when it both overlaps a gold box
/// (one-to-one, IoU at or above the threshold) and has the gold class; <see cref="ClassAccuracy"/> is the share of
/// overlapping pairs whose class agrees and <see cref="MeanIou"/> the mean IoU of those pairs.
/// </summary>
public sealed record BoxQualityReport(
    int GoldCount,
    int TeamCount,
    int Matched,
    int Correct,
    double Precision,
    double Recall,
    double F1,
    double MeanIou,
    double ClassAccuracy,
    IReadOnlyList<ClassQuality> PerClass,
    IReadOnlyList<BoxError> Errors);

public static class AnnotationQuality
{
    public static BoxQualityReport Evaluate(AnnotationDataset gold, AnnotationDataset team, QualityOptions? options = null)
    {
        options ??= new QualityOptions();
        var labelled = options.LabelledImagesOnly ? Coverage.LabelledImageIds(team) : null;
        bool InScope(long imageId) => (options.ImageIds is null || options.ImageIds.Contains(imageId)) && (labelled is null || labelled.Contains(imageId));

        var golds = ByImage(gold.Boxes, InScope);
        var teams = ByImage(team.Boxes, InScope);
        var errors = new List<BoxError>();
        var goldCounts = new Dictionary<long, int>();
        var teamCounts = new Dictionary<long, int>();
        var correctCounts = new Dictionary<long, int>();
        int matched = 0, correct = 0;
        double iouSum = 0;
        bool[] goldUsed = [], teamUsed = [];
        foreach (var box in golds)
        {
            goldCounts[box.CategoryId] = goldCounts.GetValueOrDefault(box.CategoryId) + 1;
        }

        foreach (var box in teams)
        {
            teamCounts[box.CategoryId] = teamCounts.GetValueOrDefault(box.CategoryId) + 1;
        }

        int gi = 0, ti = 0;
        while (gi < golds.Length || ti < teams.Length)
        {
            var imageId = Math.Min(gi < golds.Length ? golds[gi].ImageId : long.MaxValue, ti < teams.Length ? teams[ti].ImageId : long.MaxValue);
            var goldStart = gi;
            while (gi < golds.Length && golds[gi].ImageId == imageId)
            {
                gi++;
            }

            var teamStart = ti;
            while (ti < teams.Length && teams[ti].ImageId == imageId)
            {
                ti++;
            }

            var imageGolds = new ArraySegment<BoxAnnotation>(golds, goldStart, gi - goldStart);
            var imageTeams = new ArraySegment<BoxAnnotation>(teams, teamStart, ti - teamStart);
            if (goldUsed.Length < imageGolds.Count || teamUsed.Length < imageTeams.Count)
            {
                goldUsed = new bool[Math.Max(goldUsed.Length, imageGolds.Count * 2)];
                teamUsed = new bool[Math.Max(teamUsed.Length, imageTeams.Count * 2)];
            }

            Array.Clear(goldUsed);
            Array.Clear(teamUsed);
            foreach (var (g, t, iou) in MatchGreedy(imageGolds, imageTeams, options.IouThreshold))
            {
                goldUsed[g] = teamUsed[t] = true;
                matched++;
                iouSum += iou;
                if (imageGolds[g].CategoryId == imageTeams[t].CategoryId)
                {
                    correct++;
                    correctCounts[imageGolds[g].CategoryId] = correctCounts.GetValueOrDefault(imageGolds[g].CategoryId) + 1;
                }
                else
                {
                    errors.Add(new BoxError(BoxErrorKind.WrongClass, imageId, imageGolds[g], imageTeams[t], iou));
                }
            }

            for (var g = 0; g < imageGolds.Count; g++)
            {
                if (!goldUsed[g])
                {
                    errors.Add(new BoxError(BoxErrorKind.Missed, imageId, imageGolds[g], null, 0));
                }
            }

            for (var t = 0; t < imageTeams.Count; t++)
            {
                if (!teamUsed[t])
                {
                    errors.Add(new BoxError(BoxErrorKind.Extra, imageId, null, imageTeams[t], 0));
                }
            }
        }

        var goldTotal = golds.Length;
        var teamTotal = teams.Length;
        var perClass = gold.Categories.Select(c =>
        {
            var goldCount = goldCounts.GetValueOrDefault(c.Id);
            var teamCount = teamCounts.GetValueOrDefault(c.Id);
            var right = correctCounts.GetValueOrDefault(c.Id);
            var (p, r, f) = PrecisionRecallF1(right, teamCount, goldCount);
            return new ClassQuality(c.Id, c.Name, goldCount, teamCount, right, p, r, f);
        }).ToList();
        var (precision, recall, f1) = PrecisionRecallF1(correct, teamTotal, goldTotal);
        return new BoxQualityReport(goldTotal, teamTotal, matched, correct, precision, recall, f1,
            matched == 0 ? 0 : iouSum / matched, matched == 0 ? 0 : (double)correct / matched, perClass, errors);
    }

    /// <summary>
    /// One-to-one pairs, greedy by IoU: the best-overlapping remaining pair is taken first, regardless of class so
    /// that a right box with a wrong class shows as "wrong class" and not as one missed plus one extra. Greedy rather
    /// than Hungarian because above IoU 0.5 two boxes can rarely compete for the same partner, each pair it makes is
    /// the best one left (easy to explain in the viewer), and it stays O(n² log n) on crowded images.
    /// Ties go to the earlier gold box, then the earlier team box, so results do not depend on sort internals.
    /// </summary>
    internal static List<(int Gold, int Team, double Iou)> MatchGreedy(IReadOnlyList<BoxAnnotation> golds, IReadOnlyList<BoxAnnotation> teams, double threshold)
    {
        var candidates = new List<(int Gold, int Team, double Iou)>();
        for (var g = 0; g < golds.Count; g++)
        {
            for (var t = 0; t < teams.Count; t++)
            {
                var iou = BoxGeometry.Iou(golds[g], teams[t]);
                if (iou >= threshold && iou > 0)
                {
                    candidates.Add((g, t, iou));
                }
            }
        }

        candidates.Sort((a, b) => b.Iou != a.Iou ? b.Iou.CompareTo(a.Iou) : a.Gold != b.Gold ? a.Gold.CompareTo(b.Gold) : a.Team.CompareTo(b.Team));
        var goldUsed = new bool[golds.Count];
        var teamUsed = new bool[teams.Count];
        var pairs = new List<(int, int, double)>();
        foreach (var (g, t, iou) in candidates)
        {
            if (goldUsed[g] || teamUsed[t])
            {
                continue;
            }

            goldUsed[g] = teamUsed[t] = true;
            pairs.Add((g, t, iou));
        }

        return pairs;
    }

    /// <summary>The boxes in scope ordered by image, keeping file order within an image (ties in matching rely on it).</summary>
    private static BoxAnnotation[] ByImage(List<BoxAnnotation> boxes, Func<long, bool> inScope)
    {
        var kept = boxes.Where(b => inScope(b.ImageId)).ToArray();
        // Image ids are 64-bit, so the key that keeps file order within an image needs 96 bits.
        var keys = new Int128[kept.Length];
        for (var i = 0; i < kept.Length; i++)
        {
            keys[i] = ((Int128)kept[i].ImageId << 32) | (uint)i;
        }

        Array.Sort(keys, kept);
        return kept;
    }

    private static (double Precision, double Recall, double F1) PrecisionRecallF1(int correct, int predicted, int actual)
    {
        var precision = predicted == 0 ? 0 : (double)correct / predicted;
        var recall = actual == 0 ? 0 : (double)correct / actual;
        var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return (precision, recall, f1);
    }
}
