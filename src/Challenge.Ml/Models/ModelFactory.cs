using Challenge.Ml.Backends;
using Challenge.Ml.Data;
using Challenge.Ml.Training;

namespace Challenge.Ml.Models;

/// <summary>Creates the reference models by name: majority, random, softmax, cnn, pseudo.</summary>
public static class ModelFactory
{
    public static IReadOnlyList<string> Names { get; } = ["majority", "random", "softmax", "cnn", "pseudo"];

    /// <param name="unlabelled">The unlabelled pool; required by "pseudo", ignored by the others.</param>
    /// <param name="pseudoThreshold">Confidence a pseudo-label needs to be kept.</param>
    /// <param name="pseudoShare">Most-confident fraction of each predicted class that may be kept.</param>
    /// <param name="studentEpochs">
    /// Epochs of the pseudo-labelling student over the labelled and pseudo-labelled union;
    /// by default a fifth of <see cref="TrainingOptions.Epochs"/>, at least two.
    /// </param>
    public static IClassifier Create(
        string name,
        IBackend backend,
        TrainingOptions options,
        ImageDataset? unlabelled = null,
        float pseudoThreshold = 0.8f,
        float pseudoShare = 0.5f,
        int? studentEpochs = null,
        Action<string>? log = null) => name.ToLowerInvariant() switch
        {
            "majority" => new MajorityClassifier(),
            "random" => new RandomClassifier(options.Seed),
            "softmax" => new NetworkClassifier("softmax", backend, Architectures.SoftmaxRegression, options),
            "cnn" => new NetworkClassifier("cnn", backend, Architectures.SmallCnn, options),
            "pseudo" => new PseudoLabelClassifier(
                () => new NetworkClassifier("cnn", backend, Architectures.SmallCnn, options),
                () => new NetworkClassifier(
                    "cnn", backend, Architectures.SmallCnn, options with { Epochs = studentEpochs ?? Math.Max(2, options.Epochs / 5) }),
                unlabelled ?? throw new ArgumentException("The pseudo model needs an unlabelled set (--unlabelled)."),
                pseudoThreshold,
                pseudoShare,
                log: log),
            _ => throw new ArgumentException($"Unknown model '{name}': expected one of {string.Join(", ", Names)}."),
        };
}
