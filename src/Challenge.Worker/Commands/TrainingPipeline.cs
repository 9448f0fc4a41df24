using System.Diagnostics;
using Challenge.Ml.Backends;
using Challenge.Ml.Data;
using Challenge.Ml.Models;
using Challenge.Ml.Training;

namespace Challenge.Worker.Commands;

/// <summary>What to train and on which files: the same for the standalone and the server modes.</summary>
public sealed record TrainingRequest(
    string TrainPath,
    string TestPath,
    string? UnlabelledPath,
    string Model,
    DevicePreference Device,
    float ValidationFraction,
    float Threshold,
    float PseudoShare,
    int? StudentEpochs,
    TrainingOptions Options,
    int? CpuThreads = null);

/// <param name="Probabilities">Row-major [test images, <paramref name="ClassCount"/>] class probabilities.</param>
/// <param name="Predictions">The most probable class of each test image.</param>
public sealed record TrainingResult(
    int[] Predictions,
    float[] Probabilities,
    int ClassCount,
    IReadOnlyList<string>? ClassNames,
    string Device,
    double? ValidationAccuracy,
    TimeSpan Elapsed);

/// <summary>Loads the data, trains the model with progress reports and predicts the test set.</summary>
public static class TrainingPipeline
{
    public static TrainingResult Run(TrainingRequest request, Action<string> log, IProgress<TrainingProgress> progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var backend = BackendFactory.Create(request.Device, log, cpuThreads: request.CpuThreads);
        log($"device: {backend.Name}");

        var train = DatasetLoader.Load(request.TrainPath);
        train.RequireLabels();
        // Image files of the test and unlabelled sets are resized to the training images' size.
        var shape = new ImageShape(train.Height, train.Width, train.Channels);
        var test = DatasetLoader.Load(request.TestPath, shape);
        RequireSameImageSize(train, test, request.TestPath);
        var unlabelled = request.UnlabelledPath is null ? null : DatasetLoader.Load(request.UnlabelledPath, shape);
        if (unlabelled is not null)
        {
            RequireSameImageSize(train, unlabelled, request.UnlabelledPath!);
        }

        log($"data: {train.Count} training images ({train.ClassCount} classes), {test.Count} test images, " +
            $"{train.Height}x{train.Width}x{train.Channels}" + (unlabelled is null ? string.Empty : $", {unlabelled.Count} unlabelled"));
        cancellationToken.ThrowIfCancellationRequested();

        var (fitSet, validation) = request.ValidationFraction > 0 && train.Count >= 10
            ? train.Split(request.ValidationFraction, request.Options.Seed)
            : (train, null);
        using var model = ModelFactory.Create(request.Model, backend, request.Options, unlabelled, request.Threshold, request.PseudoShare, request.StudentEpochs, log);
        model.Fit(fitSet, validation, progress, cancellationToken);
        double? validationAccuracy = null;
        if (validation is not null)
        {
            validationAccuracy = model.Accuracy(validation);
            log($"validation accuracy: {validationAccuracy:0.0000} on {validation.Count} held-out images");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var probabilities = model.PredictProbabilities(test);
        var predictions = ClassifierExtensions.ArgMax(probabilities, model.ClassCount);
        if (test.IsLabelled)
        {
            log($"test accuracy: {model.Accuracy(test):0.0000} (the test set has labels)");
        }
        return new TrainingResult(predictions, probabilities, model.ClassCount, train.ClassNames, backend.Name, validationAccuracy, clock.Elapsed);
    }

    private static void RequireSameImageSize(ImageDataset train, ImageDataset other, string path)
    {
        if (other.Height != train.Height || other.Width != train.Width || other.Channels != train.Channels)
        {
            throw new InvalidDataException(
                $"{path} holds {other.Height}x{other.Width}x{other.Channels} images but the training set {train.Height}x{train.Width}x{train.Channels}.");
        }
    }
}
