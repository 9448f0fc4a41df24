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

    private static string Quote(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
}
