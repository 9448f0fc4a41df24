namespace Challenge.Core.Baselines;

public static class BaselineRules
{
    // The models the worker knows (Challenge.Ml's ModelFactory); the server does not load the
    // training engine, so the names are listed here.
    public static readonly IReadOnlyList<string> Models = ["majority", "random", "softmax", "cnn", "pseudo"];

    // What a classifier's softmax output can be written as: the most probable label, or one
    // probability per class.
    public static readonly IReadOnlyList<Scoring.TaskKind> TaskKinds = [Scoring.TaskKind.Label, Scoring.TaskKind.Probability];

    public const int MaxEpochs = 1_000;
    public const int MaxCurvePoints = 2_000;
    public const int MaxLogChars = 64 * 1024;
    public const int MaxLogLinesPerReport = 500;
    public const int MaxLogLineChars = 2_000;
    public const int MaxProgressPerReport = 500;
    public const int MaxMessageChars = 2_000;
    public const string TokenPrefix = "chw_";
}
