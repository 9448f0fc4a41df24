using Challenge.Ml.Backends;
using Challenge.Ml.Models;
using Challenge.Ml.Training;

namespace Challenge.Worker.Commands;

/// <summary>
/// Standalone training without a server: trains a reference model on a labelled set, predicts
/// the test set and writes "Id,Category" predictions.
/// </summary>
public static class TrainCommand
{
    public const string Usage = """
        usage: challenge-worker train --train X --test Y [options]
          --train PATH           labelled training data: .npz, IDX images file, folder or .zip of images (PNG, JPEG, ...) with labels.csv
          --test PATH            images to predict (same formats; .npy too); Id = index in this set
          --model NAME           majority | random | softmax | cnn | pseudo   (default cnn)
          --unlabelled PATH      unlabelled images, required by --model pseudo
          --epochs N             passes over the training set (default 5)
          --device D             auto | cpu | cuda   (default auto: CUDA when usable, else CPU)
          --out PATH             predictions CSV to write (default predictions.csv)
          --seed S               seed for initialisation, shuffling and augmentation (default 0)
          --batch-size B         mini-batch size (default 64)
          --lr RATE              learning rate (default 0.002 for cnn and pseudo, 0.001 otherwise)
          --optimizer NAME       adam | sgd   (default adam)
          --weight-decay W       weight decay (default 0)
          --validation F         fraction of the training set held out for validation (default 0.1; 0 for none)
          --threshold P          pseudo: confidence a pseudo-label needs (default 0.8)
          --pseudo-share F       pseudo: most-confident fraction of each predicted class kept (default 0.5)
          --student-epochs N     pseudo: epochs over labelled + pseudo-labelled images (default epochs/5, at least 2)
          --augment              random horizontal flips and shifts of up to 2 pixels
          --threads N            CPU threads training may use (default every core)
        """;

    private static readonly HashSet<string> Options =
    [
        "--train", "--test", "--model", "--unlabelled", "--epochs", "--device", "--out", "--seed",
        "--batch-size", "--lr", "--optimizer", "--weight-decay", "--validation", "--threshold", "--pseudo-share", "--student-epochs", "--threads",
    ];

    private static readonly HashSet<string> Flags = ["--augment"];

    /// <summary>Runs the command; returns the process exit code (0 success, 1 failure, 2 bad arguments).</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        TrainSettings settings;
        try
        {
            settings = TrainSettings.Parse(new CommandArguments(args, Options, Flags));
        }
        catch (CommandLineException exception)
        {
            error.WriteLine(exception.Message);
            error.WriteLine(Usage);
            return 2;
        }

        try
        {
            Train(settings, output, cancellationToken);
            return 0;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("training cancelled");
            return 1;
        }
        catch (Exception exception) when (exception is IOException or InvalidDataException or NotSupportedException
            or ArgumentException or InvalidOperationException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: {exception.Message}");
            return 1;
        }
    }

    private static void Train(TrainSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        var request = new TrainingRequest(settings.TrainPath, settings.TestPath, settings.UnlabelledPath, settings.Model, settings.Device,
            settings.ValidationFraction, settings.Threshold, settings.PseudoShare, settings.StudentEpochs, settings.Options, settings.Threads);
        var result = TrainingPipeline.Run(request, output.WriteLine, new ProgressLinePrinter(output), cancellationToken);
        PredictionWriter.Write(settings.OutputPath, result.Predictions, result.ClassNames);
        output.WriteLine($"wrote {result.Predictions.Length} predictions to {settings.OutputPath} in {result.Elapsed.TotalSeconds:0.0} s");
    }

    private sealed record TrainSettings(
        string TrainPath,
        string TestPath,
        string? UnlabelledPath,
        string Model,
        DevicePreference Device,
        string OutputPath,
        float ValidationFraction,
        float Threshold,
        float PseudoShare,
        int? StudentEpochs,
        TrainingOptions Options,
        int? Threads)
    {
        public static TrainSettings Parse(CommandArguments arguments)
        {
            var model = arguments.String("--model", "cnn").ToLowerInvariant();
            if (!ModelFactory.Names.Contains(model))
            {
                throw new CommandLineException($"Unknown model '{model}': expected one of {string.Join(", ", ModelFactory.Names)}.");
            }

            var unlabelled = arguments.Optional("--unlabelled");
            if (model == "pseudo" && unlabelled is null)
            {
                throw new CommandLineException("--model pseudo needs --unlabelled.");
            }

            DevicePreference device;
            try
            {
                device = BackendFactory.ParsePreference(arguments.String("--device", "auto"));
            }
            catch (ArgumentException exception)
            {
                throw new CommandLineException(exception.Message);
            }

            var optimizer = arguments.String("--optimizer", "adam").ToLowerInvariant() switch
            {
                "adam" => OptimizerKind.Adam,
                "sgd" => OptimizerKind.Sgd,
                var other => throw new CommandLineException($"Unknown optimizer '{other}': expected adam or sgd."),
            };

            var options = new TrainingOptions
            {
                Epochs = arguments.Int("--epochs", 5, minimum: 1),
                BatchSize = arguments.Int("--batch-size", 64, minimum: 1),
                LearningRate = arguments.Float("--lr", ModelFactory.ReferenceLearningRate(model), 0f, 10f),
                Optimizer = optimizer,
                WeightDecay = arguments.Float("--weight-decay", 0f, 0f, 1f),
                Seed = arguments.Int("--seed", 0),
                Augmentation = arguments.Has("--augment") ? Augmentation.FlipAndShift : Augmentation.None,
            };

            return new TrainSettings(
                arguments.Required("--train"),
                arguments.Required("--test"),
                unlabelled,
                model,
                device,
                arguments.String("--out", "predictions.csv"),
                arguments.Float("--validation", 0.1f, 0f, 0.9f),
                arguments.Float("--threshold", 0.8f, 0.01f, 1f),
                arguments.Float("--pseudo-share", 0.5f, 0.01f, 1f),
                arguments.Optional("--student-epochs") is null ? null : arguments.Int("--student-epochs", 0, minimum: 1),
                options,
                arguments.Optional("--threads") is null ? null : arguments.Int("--threads", 0, minimum: 1));
        }
    }
}
