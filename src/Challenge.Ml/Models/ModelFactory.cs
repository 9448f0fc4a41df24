using Challenge.Ml.Backends;
using Challenge.Ml.Data;
using Challenge.Ml.Training;

namespace Challenge.Ml.Models;

/// <summary>Creates the reference models by name: majority, random, softmax, cnn, pseudo.</summary>
public static class ModelFactory
{
    public static IReadOnlyList<string> Names { get; } = ["majority", "random", "softmax", "cnn", "pseudo"];

    /// <summary>
    /// The learning rate each model was measured with (Adam, cosine decay): 2e-3 for the CNNs, 1e-3
    /// for softmax regression. Used where no rate is given (baseline runs, the train command).
    /// </summary>
    public static float ReferenceLearningRate(string name) => name.ToLowerInvariant() is "cnn" or "pseudo" ? 2e-3f : 1e-3f;

    /// <param name="unlabelled">The unlabelled pool; required by "pseudo", ignored by the others.</param>
    /// <param name="pseudoThreshold">Confidence a pseudo-label needs to be kept.</param>
    /// <param name="pseudoShare">Most-confident fraction of each predicted class that may be kept.</param>
    /// <param name="pseudoRounds">
    /// Pseudo-labelling rounds; each round's student is the next round's teacher. Two rounds gained 3.1 points
    /// over the same network on the labels alone (Fashion-MNIST, 50 labels per class: 0.797 to 0.828).
    /// </param>
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
        Action<string>? log = null,
        int pseudoRounds = 2) => name.ToLowerInvariant() switch
        {
            "majority" => new MajorityClassifier(),
            "random" => new RandomClassifier(options.Seed),
            "softmax" => new NetworkClassifier("softmax", backend, Architectures.SoftmaxRegression, options),
            "cnn" => new NetworkClassifier("cnn", backend, Architectures.ReferenceCnn, options),
            "pseudo" => new PseudoLabelClassifier(
                () => new NetworkClassifier("cnn", backend, Architectures.ReferenceCnn, options),
                () => new NetworkClassifier(
                    "cnn", backend, Architectures.ReferenceCnn, options with { Epochs = studentEpochs ?? Math.Max(2, options.Epochs / 5) }),
                unlabelled ?? throw new ArgumentException("The pseudo model needs an unlabelled set (--unlabelled)."),
                pseudoThreshold,
                pseudoShare,
                rounds: pseudoRounds,
                log: log),
            _ => throw new ArgumentException($"Unknown model '{name}': expected one of {string.Join(", ", Names)}."),
        };
}
