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
    public static IClassifier Create(
        string name,
        IBackend backend,
        TrainingOptions options,
        ImageDataset? unlabelled = null,
        float pseudoThreshold = 0.95f,
        Action<string>? log = null) => name.ToLowerInvariant() switch
        {
            "majority" => new MajorityClassifier(),
            "random" => new RandomClassifier(options.Seed),
            "softmax" => new NetworkClassifier("softmax", backend, Architectures.SoftmaxRegression, options),
            "cnn" => new NetworkClassifier("cnn", backend, Architectures.SmallCnn, options),
            "pseudo" => new PseudoLabelClassifier(
                () => new NetworkClassifier("cnn", backend, Architectures.SmallCnn, options),
                unlabelled ?? throw new ArgumentException("The pseudo model needs an unlabelled set (--unlabelled)."),
                pseudoThreshold,
                log: log),
            _ => throw new ArgumentException($"Unknown model '{name}': expected one of {string.Join(", ", Names)}."),
        };
}
