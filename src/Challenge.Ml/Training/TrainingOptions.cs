namespace Challenge.Ml.Training;

public sealed record TrainingOptions
{
    public int Epochs { get; init; } = 5;

    public int BatchSize { get; init; } = 64;

    public float LearningRate { get; init; } = 1e-3f;

    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>Momentum of SGD; ignored by Adam.</summary>
    public float Momentum { get; init; } = 0.9f;

    public float WeightDecay { get; init; }

    /// <summary>Cosine decay of the learning rate to zero over the run, else a constant rate.</summary>
    public bool CosineSchedule { get; init; } = true;

    /// <summary>Seeds weight initialisation, shuffling, dropout and augmentation.</summary>
    public int Seed { get; init; }

    public Augmentation Augmentation { get; init; } = Augmentation.None;

    /// <summary>How often a mid-epoch progress report is sent, at most.</summary>
    public TimeSpan ReportInterval { get; init; } = TimeSpan.FromSeconds(1);
}
