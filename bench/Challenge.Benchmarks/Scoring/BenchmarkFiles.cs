using System.Globalization;
using System.Text;

namespace Challenge.Benchmarks.Scoring;

/// <summary>Writes look-alike solution and submission files (EuroSAT labels, plankton probabilities).</summary>
internal static class BenchmarkFiles
{
    public static readonly string[] LandCover =
    [
        "AnnualCrop", "Forest", "HerbaceousVegetation", "Highway", "Industrial",
        "Pasture", "PermanentCrop", "Residential", "River", "SeaLake",
    ];

    public static string[] Plankton(int count) => Enumerable.Range(0, count).Select(k => $"taxon_{k:D3}").ToArray();

    /// <summary>Solution without Usage column (seeded split) and a submission that is right 80% of the time, in sample-submission order.</summary>
    public static void WriteLabels(string solutionPath, string submissionPath, int rows, int seed)
    {
        var random = new Random(seed);
        using var solution = Writer(solutionPath);
        using var submission = Writer(submissionPath);
        solution.Write("Id,Category\n");
        submission.Write("Id,Category\n");
        for (int id = 0; id < rows; id++)
        {
            int truth = random.Next(LandCover.Length);
            int guess = random.NextDouble() < 0.8 ? truth : random.Next(LandCover.Length);
            solution.Write(id);
            solution.Write(',');
            solution.Write(LandCover[truth]);
            solution.Write('\n');
            submission.Write(id);
            submission.Write(',');
            submission.Write(LandCover[guess]);
            submission.Write('\n');
        }
    }

    /// <summary>Plankton-bowl shape: Id = image name, one probability per class with six decimals.</summary>
    public static void WriteProbabilities(string solutionPath, string submissionPath, int rows, int classCount, int seed)
    {
        var random = new Random(seed);
        var classes = Plankton(classCount);
        using var solution = Writer(solutionPath);
        using var submission = Writer(submissionPath);
        solution.Write("Id,Category\n");
        submission.Write("Id," + string.Join(",", classes) + "\n");
        var weights = new double[classCount];
        var line = new StringBuilder();
        for (int row = 0; row < rows; row++)
        {
            int truth = random.Next(classCount);
            double sum = 0;
            for (int k = 0; k < classCount; k++)
            {
                weights[k] = Math.Exp(3 * random.NextDouble() + (k == truth ? 1.5 : 0));
                sum += weights[k];
            }
            string id = $"{100000 + row}.jpg";
            solution.Write($"{id},{classes[truth]}\n");
            line.Clear().Append(id);
            for (int k = 0; k < classCount; k++)
            {
                line.Append(',').Append((weights[k] / sum).ToString("0.######", CultureInfo.InvariantCulture));
            }
            submission.Write(line.Append('\n'));
        }
    }

    private static StreamWriter Writer(string path) =>
        new(path, false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 20);
}
