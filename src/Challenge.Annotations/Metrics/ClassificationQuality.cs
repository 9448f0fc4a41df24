using Challenge.Annotations.Model;

namespace Challenge.Annotations.Metrics;

/// <summary>
/// Image-class agreement on the gold (honeypot) items the team labelled. <see cref="Kappa"/> is Cohen's kappa,
/// (observed - chance) / (1 - chance); when chance agreement is already 1 (one class on both sides) it is 1 for
/// full agreement, as there is nothing left to explain.
/// </summary>
public sealed record ClassificationReport(int GoldItems, int Compared, int Agreements, double Accuracy, double Kappa, IReadOnlyList<ImageLabelError> Errors);

/// <summary>A gold item the team classed differently.</summary>
public sealed record ImageLabelError(long ImageId, string Gold, string Team);

public static class ClassificationQuality
{
    /// <summary>Compares the first class each image has on each side; honeypots the team did not label are not counted.</summary>
    public static ClassificationReport Evaluate(AnnotationDataset gold, AnnotationDataset team, IReadOnlySet<long>? imageIds = null)
    {
        var goldLabels = FirstLabels(gold, imageIds);
        var teamLabels = FirstLabels(team, imageIds);
        var pairs = goldLabels.Where(p => teamLabels.ContainsKey(p.Key)).Select(p => (Image: p.Key, Gold: p.Value, Team: teamLabels[p.Key])).ToList();
        var agreements = pairs.Count(p => string.Equals(p.Gold, p.Team, StringComparison.OrdinalIgnoreCase));
        var errors = pairs.Where(p => !string.Equals(p.Gold, p.Team, StringComparison.OrdinalIgnoreCase))
            .Select(p => new ImageLabelError(p.Image, p.Gold, p.Team)).ToList();
        if (pairs.Count == 0)
        {
            return new ClassificationReport(goldLabels.Count, 0, 0, 0, 0, errors);
        }

        var observed = (double)agreements / pairs.Count;
        var goldShares = pairs.GroupBy(p => p.Gold.ToUpperInvariant()).ToDictionary(g => g.Key, g => (double)g.Count() / pairs.Count);
        var teamShares = pairs.GroupBy(p => p.Team.ToUpperInvariant()).ToDictionary(g => g.Key, g => (double)g.Count() / pairs.Count);
        var chance = goldShares.Sum(p => p.Value * teamShares.GetValueOrDefault(p.Key));
        var kappa = chance >= 1 ? (observed >= 1 ? 1 : 0) : (observed - chance) / (1 - chance);
        return new ClassificationReport(goldLabels.Count, pairs.Count, agreements, observed, kappa, errors);
    }

    private static Dictionary<long, string> FirstLabels(AnnotationDataset dataset, IReadOnlySet<long>? imageIds)
    {
        var labels = new Dictionary<long, string>();
        foreach (var label in dataset.ImageLabels)
        {
            if (imageIds is null || imageIds.Contains(label.ImageId))
            {
                labels.TryAdd(label.ImageId, label.ClassName);
            }
        }

        return labels;
    }
}

/// <summary>How much of the asset set a team labelled.</summary>
public sealed record CoverageReport(int Labelled, int Total, double Share);

public static class Coverage
{
    /// <summary>An image counts as labelled when the team gave it at least one box or one image class.</summary>
    public static HashSet<long> LabelledImageIds(AnnotationDataset team) =>
        team.Boxes.Select(b => b.ImageId).Concat(team.ImageLabels.Select(l => l.ImageId)).ToHashSet();

    public static CoverageReport Of(AnnotationDataset gold, AnnotationDataset team, IReadOnlySet<long>? imageIds = null)
    {
        var scope = gold.Images.Select(i => i.Id).Where(id => imageIds is null || imageIds.Contains(id)).ToHashSet();
        var labelled = LabelledImageIds(team).Count(scope.Contains);
        return new CoverageReport(labelled, scope.Count, scope.Count == 0 ? 0 : (double)labelled / scope.Count);
    }
}
