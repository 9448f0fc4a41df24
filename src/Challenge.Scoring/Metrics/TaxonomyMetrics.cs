namespace Challenge.Scoring.Metrics;

/// <summary>
/// Hierarchical F1 of Kiritchenko, Matwin and Famili (2005), "Functional annotation of genes
/// using hierarchical text categorization": each true and predicted class is replaced by the
/// set of itself and its ancestors; hP = Σ|T ∩ P| / Σ|P|, hR = Σ|T ∩ P| / Σ|T| over the rows
/// (micro-averaged), and hF = 2·hP·hR / (hP + hR). Confusing two species of one genus keeps
/// the shared genus and family; confusing a copepod with a diatom keeps nothing.
/// </summary>
internal sealed class HierarchicalF1Metric(MetricInfo info) : ConfusionMetric(info)
{
    public override double Compute(ConfusionMatrix matrix, Solution solution)
    {
        var taxonomy = solution.Taxonomy!;
        double shared = 0, truthSize = 0, predictedSize = 0;
        for (int t = 0; t < matrix.ClassCount; t++)
        {
            for (int p = 0; p < matrix.ClassCount; p++)
            {
                long count = matrix[t, p];
                if (count == 0)
                {
                    continue;
                }
                shared += count * (double)taxonomy.SharedAncestors(t, p);
                truthSize += count * (double)taxonomy.Paths[t].Length;
                predictedSize += count * (double)taxonomy.Paths[p].Length;
            }
        }
        double precision = shared / predictedSize;
        double recall = shared / truthSize;
        return ClassStats.F1Of(precision, recall);
    }
}

/// <summary>
/// Accuracy after replacing each true and predicted class by its ancestor at the task's depth
/// (1 = the root of its tree); a class shallower than that depth stands for itself.
/// </summary>
internal sealed class AccuracyAtDepthMetric(MetricInfo info) : ConfusionMetric(info)
{
    public override double Compute(ConfusionMatrix matrix, Solution solution)
    {
        var taxonomy = solution.Taxonomy!;
        int depth = solution.Task.Depth;
        long correct = 0;
        for (int t = 0; t < matrix.ClassCount; t++)
        {
            int truthNode = taxonomy.NodeAtDepth(t, depth);
            for (int p = 0; p < matrix.ClassCount; p++)
            {
                if (taxonomy.NodeAtDepth(p, depth) == truthNode)
                {
                    correct += matrix[t, p];
                }
            }
        }
        return correct / (double)matrix.Total;
    }
}
