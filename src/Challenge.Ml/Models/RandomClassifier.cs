using Challenge.Ml.Data;
using Challenge.Ml.Training;

namespace Challenge.Ml.Models;

/// <summary>Guesses a uniformly random class per image from a seed, like a sample submission.</summary>
public sealed class RandomClassifier(int seed) : IClassifier
{
    public string Name => "random";

    public int ClassCount { get; private set; }

    public void Fit(ImageDataset train, ImageDataset? validation, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken) =>
        ClassCount = ClassifierExtensions.ClassCountOf(train, validation);

    public float[] PredictProbabilities(ImageDataset images)
    {
        var random = new Random(seed);
        var result = new float[images.Count * ClassCount];
        for (var i = 0; i < images.Count; i++)
        {
            result[i * ClassCount + random.Next(ClassCount)] = 1f;
        }

        return result;
    }

    public void Dispose()
    {
    }
}
