using Challenge.Ml.Data;
using Challenge.Ml.Training;

namespace Challenge.Ml.Models;

/// <summary>Predicts the most frequent training class for every image: the floor any model must beat.</summary>
public sealed class MajorityClassifier : IClassifier
{
    private int _majority;

    public string Name => "majority";

    public int ClassCount { get; private set; }

    public void Fit(ImageDataset train, ImageDataset? validation, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ClassCount = ClassifierExtensions.ClassCountOf(train, validation);
        _majority = train.RequireLabels().GroupBy(label => label).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;
    }

    public float[] PredictProbabilities(ImageDataset images)
    {
        var result = new float[images.Count * ClassCount];
        for (var i = 0; i < images.Count; i++)
        {
            result[i * ClassCount + _majority] = 1f;
        }

        return result;
    }

    public void Dispose()
    {
    }
}
