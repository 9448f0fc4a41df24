using Challenge.Ml.Training;

namespace Challenge.Worker.Commands;

/// <summary>Prints each training progress report as one line.</summary>
public sealed class ProgressLinePrinter(TextWriter output) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value) => output.WriteLine(value.ToString());
}
