using Challenge.Ml.Data;

namespace Challenge.Ml.Models;

public static class ClassifierExtensions
{
    /// <summary>Most probable class of each image; ties go to the lower class index.</summary>
    public static int[] Predict(this IClassifier classifier, ImageDataset images) =>
        ArgMax(classifier.PredictProbabilities(images), classifier.ClassCount);

    public static double Accuracy(this IClassifier classifier, ImageDataset labelled)
    {
        var labels = labelled.RequireLabels();
        var predicted = classifier.Predict(labelled);
        return labels.Length == 0 ? 0 : labels.Where((label, i) => predicted[i] == label).Count() / (double)labels.Length;
    }

    /// <summary>The index of the largest value of each row of a row-major [rows, classes] array; ties go to the lower index.</summary>
    public static int[] ArgMax(float[] probabilities, int classes)
    {
        var result = new int[probabilities.Length / classes];
        for (var i = 0; i < result.Length; i++)
        {
            var row = probabilities.AsSpan(i * classes, classes);
            var best = 0;
            for (var j = 1; j < classes; j++)
            {
                if (row[j] > row[best])
                {
                    best = j;
                }
            }

            result[i] = best;
        }

        return result;
    }

    internal static int ClassCountOf(ImageDataset train, ImageDataset? validation) =>
        Math.Max(train.ClassCount, validation?.ClassCount ?? 0) switch
        {
            < 1 => throw new ArgumentException("The training set holds no labelled images."),
            var count => count,
        };
}
