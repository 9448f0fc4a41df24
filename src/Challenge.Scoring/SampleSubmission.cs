using System.Globalization;
using CsvHelper;

namespace Challenge.Scoring;

/// <summary>
/// Writes a valid submission for a solution: every Id in the solution's order with a neutral
/// prediction that reveals nothing about the truth (the first class, a uniform probability
/// row, 0.5 for independent probabilities, 0 for regression, an empty list or mask).
/// </summary>
internal static class SampleSubmission
{
    public static void Write(Solution solution, Stream output)
    {
        using var csv = CsvWriter.Create(output, new CsvWriterOptions { NewLine = "\n" }, leaveOpen: true);
        var task = solution.Task;

        csv.WriteField(task.IdColumn);
        if (solution.Kind is TaskKind.Probability or TaskKind.MultiLabelProbability)
        {
            foreach (string name in solution.Classes)
            {
                csv.WriteField(name);
            }
        }
        else
        {
            csv.WriteField(task.TargetColumn);
        }
        csv.EndRecord();

        string uniform = (solution.Kind == TaskKind.Probability ? 1.0 / Math.Max(1, solution.Classes.Count) : 0.5).ToString("R", CultureInfo.InvariantCulture);
        for (int row = 0; row < solution.RowCount; row++)
        {
            csv.WriteField(solution.GetId(row));
            switch (solution.Kind)
            {
                case TaskKind.Probability or TaskKind.MultiLabelProbability:
                    for (int k = 0; k < solution.Classes.Count; k++)
                    {
                        csv.WriteField(uniform);
                    }
                    break;
                case TaskKind.Regression:
                    csv.WriteField("0");
                    break;
                case TaskKind.BinaryProbability:
                    csv.WriteField("0.5");
                    break;
                case TaskKind.Ranking or TaskKind.Mask:
                    csv.WriteField("");
                    break;
                default:
                    csv.WriteField(solution.Classes.Count > 0 ? solution.Classes[0] : "");
                    break;
            }
            csv.EndRecord();
        }
    }
}
