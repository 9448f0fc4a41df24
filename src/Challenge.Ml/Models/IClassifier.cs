using Challenge.Ml.Data;
using Challenge.Ml.Training;

namespace Challenge.Ml.Models;

/// <summary>An image classifier that can be trained on a labelled set and then predict.</summary>
public interface IClassifier : IDisposable
{
    string Name { get; }

    /// <summary>Number of classes the last <see cref="Fit"/> learned.</summary>
    int ClassCount { get; }

    /// <param name="validation">Optional labelled images scored after each epoch and reported.</param>
    void Fit(ImageDataset train, ImageDataset? validation, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken);

    /// <summary>Class probabilities as a row-major [images, classes] array.</summary>
    float[] PredictProbabilities(ImageDataset images);
}
