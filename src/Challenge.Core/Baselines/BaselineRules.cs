namespace Challenge.Core.Baselines;

public static class BaselineRules
{
    // The models the worker knows (Challenge.Ml's ModelFactory); the server does not load the
    // training engine, so the names are listed here.
    public static readonly IReadOnlyList<string> Models = ["majority", "random", "softmax", "cnn", "pseudo"];

    /// <summary>
    /// The epochs each model was measured with on Fashion-MNIST (2 cores): the CNN reaches 0.930 in
    /// 14 (about 6 minutes), softmax regression levels off by 10, and pseudo-labelling's teacher
    /// trains 30 on its few labels. The form starts from these.
    /// </summary>
    public static int ReferenceEpochs(string model) => model switch
    {
        "cnn" => 14,
        "pseudo" => 30,
        "softmax" => 10,
        _ => 1,
    };

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
