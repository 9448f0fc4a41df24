using System.Globalization;
using System.Text;

namespace Challenge.Worker.Commands;

/// <summary>Writes a submission file: "Id,Category" (or the task's column names), Id being the image's index in the test set.</summary>
public static class PredictionWriter
{
    /// <param name="classNames">Names to write instead of label numbers, when the data set has them.</param>
    public static void Write(string path, IReadOnlyList<int> predictions, IReadOnlyList<string>? classNames, string idColumn = "Id", string targetColumn = "Category")
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        writer.NewLine = "\n";
        writer.WriteLine($"{Quote(idColumn)},{Quote(targetColumn)}");
        for (var id = 0; id < predictions.Count; id++)
        {
            var label = predictions[id];
            var category = classNames is not null && label < classNames.Count
                ? Quote(classNames[label])
                : label.ToString(CultureInfo.InvariantCulture);
            writer.WriteLine($"{id.ToString(CultureInfo.InvariantCulture)},{category}");
        }
    }

    /// <summary>
    /// Writes a probability submission, <c>Id,class1,…,classN</c> with the task's columns in the
    /// task's order. Each column takes the probability the model gave the class of that name
    /// (label numbers when the training data has no names); a task class the training data never
    /// showed gets 0, and each row is rescaled to sum to 1 over the task's classes (the mass of
    /// training classes the task does not list is dropped).
    /// </summary>
    /// <param name="probabilities">Row-major [images, <paramref name="classCount"/>].</param>
    /// <exception cref="InvalidDataException">No training class is one of the task's classes.</exception>
    public static void WriteProbabilities(string path, float[] probabilities, int classCount, IReadOnlyList<string>? classNames, IReadOnlyList<string> taskClasses, string idColumn = "Id")
    {
        if (taskClasses.Count == 0)
        {
            throw new InvalidDataException("The server named no class columns for this probability task; upload the task's solution first.");
        }
        var modelIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var k = 0; k < classCount; k++)
        {
            modelIndex.TryAdd(classNames is not null && k < classNames.Count ? classNames[k] : k.ToString(CultureInfo.InvariantCulture), k);
        }
        var columns = taskClasses.Select(name => modelIndex.TryGetValue(name, out var k) ? k : -1).ToArray();
        if (columns.All(k => k < 0))
        {
            var known = string.Join(", ", modelIndex.Keys.Take(10));
            throw new InvalidDataException(
                $"None of the training classes ({known}{(modelIndex.Count > 10 ? ", …" : "")}) is a class of the task ({string.Join(", ", taskClasses.Take(10))}{(taskClasses.Count > 10 ? ", …" : "")}).");
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        writer.NewLine = "\n";
        writer.WriteLine(string.Join(',', new[] { idColumn }.Concat(taskClasses).Select(Quote)));
        var rows = probabilities.Length / classCount;
        var line = new StringBuilder();
        var row = new double[columns.Length];
        for (var id = 0; id < rows; id++)
        {
            var source = probabilities.AsSpan(id * classCount, classCount);
            var sum = 0.0;
            for (var c = 0; c < columns.Length; c++)
            {
                row[c] = columns[c] < 0 ? 0 : Math.Max(0, source[columns[c]]);
                sum += row[c];
            }
            line.Clear().Append(id.ToString(CultureInfo.InvariantCulture));
            for (var c = 0; c < columns.Length; c++)
            {
                var p = sum > 0 ? row[c] / sum : 1.0 / columns.Length;
                line.Append(',').Append(p.ToString("G9", CultureInfo.InvariantCulture));
            }
            writer.WriteLine(line);
        }
    }

    private static string Quote(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
}
