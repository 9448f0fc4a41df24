using Challenge.Ml.Training;

namespace Challenge.Ml.Models;

/// <summary>Relabels reports of an inner training run, synchronously (unlike <see cref="Progress{T}"/>).</summary>
internal sealed class StageProgress(IProgress<TrainingProgress> inner, string stage) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value) => inner.Report(value with { Stage = stage });
}
