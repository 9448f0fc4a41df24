namespace Challenge.Scoring.Metrics;

/// <summary>Counts of (true class, predicted class) pairs; rows are the truth, columns the prediction.</summary>
internal sealed class ConfusionMatrix
{
    private readonly long[] _counts;

    public ConfusionMatrix(int classCount)
    {
        ClassCount = classCount;
        _counts = new long[classCount * classCount];
    }

    public int ClassCount { get; }

    public long Total { get; private set; }

    public long this[int truth, int predicted] => _counts[truth * ClassCount + predicted];

    public void Add(int truth, int predicted, long count = 1)
    {
        _counts[truth * ClassCount + predicted] += count;
        Total += count;
    }

    public ConfusionMatrix Plus(ConfusionMatrix other)
    {
        var sum = new ConfusionMatrix(ClassCount);
        for (int i = 0; i < _counts.Length; i++)
        {
            sum._counts[i] = _counts[i] + other._counts[i];
        }
        sum.Total = Total + other.Total;
        return sum;
    }

    /// <summary>Public and private matrices in a single pass over the rows; ignored rows are skipped.</summary>
    public static (ConfusionMatrix Public, ConfusionMatrix Private) ForParts(Submission submission)
    {
        var solution = submission.Solution;
        int classes = solution.ClassSet.Count;
        var matrices = new[] { new ConfusionMatrix(classes), new ConfusionMatrix(classes) };
        var truth = solution.TruthClass!;
        var predicted = submission.PredictedClass!;
        var usage = solution.Usage;
        for (int row = 0; row < usage.Length; row++)
        {
            int part = (int)usage[row];
            if (part < 2)
            {
                matrices[part]._counts[truth[row] * classes + predicted[row]]++;
            }
        }
        foreach (var matrix in matrices)
        {
            matrix.Total = matrix._counts.Sum();
        }
        return (matrices[0], matrices[1]);
    }

    public long TruthTotal(int classIndex)
    {
        long total = 0;
        for (int p = 0; p < ClassCount; p++)
        {
            total += this[classIndex, p];
        }
        return total;
    }

    public long PredictedTotal(int classIndex)
    {
        long total = 0;
        for (int t = 0; t < ClassCount; t++)
        {
            total += this[t, classIndex];
        }
        return total;
    }

    public long Correct()
    {
        long correct = 0;
        for (int k = 0; k < ClassCount; k++)
        {
            correct += this[k, k];
        }
        return correct;
    }

    public long[][] ToJagged()
    {
        var rows = new long[ClassCount][];
        for (int t = 0; t < ClassCount; t++)
        {
            rows[t] = _counts.AsSpan(t * ClassCount, ClassCount).ToArray();
        }
        return rows;
    }
}
