using Challenge.Ml.Data;
using Challenge.Ml.Training;

namespace Challenge.Ml.Models;

/// <summary>
/// Self-training for the few-labels case: a teacher trained on the labelled images labels the
/// unlabelled ones; those it is confident about join the labelled set and a fresh student is
/// trained on the union. With several rounds each student becomes the next teacher.
/// </summary>
/// <param name="createTeacher">Makes the untrained model fitted to the labelled images alone.</param>
/// <param name="createStudent">
/// Makes an untrained model for the union, which is usually far larger than the labelled set and
/// so needs fewer epochs.
/// </param>
/// <param name="unlabelled">The pool of images without labels.</param>
/// <param name="threshold">Minimum predicted probability for a pseudo-label to be kept.</param>
/// <param name="topFractionPerClass">
/// Of the images predicted as each class, at most this most-confident fraction is kept. A single
/// global threshold keeps mostly the easy classes, and a student trained on that skewed set
/// forgets the hard ones; a per-class share keeps the pseudo-labels as balanced as the predictions.
/// </param>
/// <param name="labelledShare">
/// The labelled images are repeated until they make up at least this share of the student's
/// training set: they alone carry the hard cases the teacher was unsure about, and a few hundred
/// of them would otherwise be lost among tens of thousands of pseudo-labels.
/// </param>
public sealed class PseudoLabelClassifier(
    Func<IClassifier> createTeacher,
    Func<IClassifier> createStudent,
    ImageDataset unlabelled,
    float threshold = 0.8f,
    float topFractionPerClass = 0.5f,
    float labelledShare = 0.25f,
    int rounds = 1,
    Action<string>? log = null) : IClassifier
{
    private IClassifier? _model;

    public string Name => "pseudo";

    public int ClassCount => _model?.ClassCount ?? 0;

    /// <summary>How many pseudo-labels the last round added.</summary>
    public int PseudoLabelCount { get; private set; }

    public void Fit(ImageDataset train, ImageDataset? validation, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        if (threshold is <= 0f or > 1f)
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), "The confidence threshold must be in (0, 1].");
        }

        if (labelledShare is < 0f or >= 1f)
        {
            throw new ArgumentOutOfRangeException(nameof(labelledShare), "The labelled share must be in [0, 1).");
        }

        if (topFractionPerClass is <= 0f or > 1f)
        {
            throw new ArgumentOutOfRangeException(nameof(topFractionPerClass), "The per-class fraction must be in (0, 1].");
        }

        _model?.Dispose();
        _model = createTeacher();
        _model.Fit(train, validation, Stage(progress, "pseudo: labelled only"), cancellationToken);
        for (var round = 1; round <= rounds; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var pseudo = Confident(_model, train.ClassNames);
            PseudoLabelCount = pseudo.Count;
            log?.Invoke(
                $"pseudo-labelling round {round}: {pseudo.Count} of {unlabelled.Count} unlabelled images kept " +
                $"(most confident {topFractionPerClass:P0} per predicted class, confidence >= {threshold})");
            var student = createStudent();
            try
            {
                var repeats = LabelledRepeats(train.Count, pseudo.Count);
                log?.Invoke($"pseudo-labelling round {round}: student trains on {pseudo.Count} pseudo-labels and {repeats} copies of the {train.Count} labelled images");
                var combined = pseudo.Count == 0 ? train : Repeat(train, repeats).Concat(pseudo);
                student.Fit(combined, validation, Stage(progress, $"pseudo: round {round}"), cancellationToken);
            }
            catch
            {
                student.Dispose();
                throw;
            }

            _model.Dispose();
            _model = student;
        }
    }

    public float[] PredictProbabilities(ImageDataset images) =>
        (_model ?? throw new InvalidOperationException("The pseudo-labelling model must be trained before it predicts."))
            .PredictProbabilities(images);

    public void Dispose() => _model?.Dispose();

    private ImageDataset Confident(IClassifier model, IReadOnlyList<string>? classNames)
    {
        var probabilities = model.PredictProbabilities(unlabelled);
        var classes = model.ClassCount;
        var predicted = ClassifierExtensions.ArgMax(probabilities, classes);
        float Confidence(int i) => probabilities[i * classes + predicted[i]];
        var kept = Enumerable.Range(0, predicted.Length)
            .GroupBy(i => predicted[i])
            .SelectMany(group =>
            {
                var share = (int)Math.Ceiling(group.Count() * topFractionPerClass);
                return group.OrderByDescending(Confidence).ThenBy(i => i).Take(share).Where(i => Confidence(i) >= threshold);
            })
            .Order()
            .ToList();
        return unlabelled.Subset(kept).WithLabels([.. kept.Select(i => predicted[i])], classNames);
    }

    private int LabelledRepeats(int labelled, int pseudo) =>
        Math.Max(1, (int)Math.Ceiling(labelledShare / (1 - labelledShare) * pseudo / labelled));

    private static ImageDataset Repeat(ImageDataset data, int times) =>
        times == 1 ? data : data.Subset([.. Enumerable.Repeat(0, times).SelectMany(_ => Enumerable.Range(0, data.Count))]);

    private static IProgress<TrainingProgress>? Stage(IProgress<TrainingProgress>? progress, string stage) =>
        progress is null ? null : new StageProgress(progress, stage);
}
