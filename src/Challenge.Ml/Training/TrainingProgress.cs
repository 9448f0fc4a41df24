namespace Challenge.Ml.Training;

/// <summary>
/// One progress report from a training run: what a console prints as a progress line and what a
/// server shows as a progress bar and loss curve.
/// </summary>
/// <param name="Stage">What is being trained, e.g. "cnn" or "pseudo-label retrain".</param>
/// <param name="Loss">Mean training loss over the batches of this epoch so far.</param>
/// <param name="ValidationAccuracy">Set on the report that closes an epoch when a validation set was given.</param>
/// <param name="ExamplesPerSecond">Training throughput over the current epoch.</param>
/// <param name="Eta">Estimated time left for this stage.</param>
public sealed record TrainingProgress(
    string Stage,
    int Epoch,
    int Epochs,
    int Batch,
    int BatchesPerEpoch,
    double Loss,
    double? ValidationAccuracy,
    double ExamplesPerSecond,
    TimeSpan Eta,
    string Device)
{
    public bool IsEpochEnd => Batch == BatchesPerEpoch;

    /// <summary>Fraction of the stage done, 0 to 1.</summary>
    public double Fraction => Epochs == 0 ? 1 : ((Epoch - 1) * (double)BatchesPerEpoch + Batch) / ((double)Epochs * BatchesPerEpoch);

    public override string ToString()
    {
        var validation = ValidationAccuracy is { } accuracy ? $" val_acc {accuracy:0.0000}" : string.Empty;
        return $"[{Stage}] epoch {Epoch}/{Epochs} batch {Batch}/{BatchesPerEpoch} loss {Loss:0.0000}{validation} " +
            $"{ExamplesPerSecond:0} ex/s eta {Eta:hh\\:mm\\:ss} on {Device}";
    }
}
