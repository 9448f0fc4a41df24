using Challenge.Ml.Layers;

namespace Challenge.Ml.Optimizers;

/// <summary>Updates parameters from their gradients; the learning rate is passed per step so schedules stay outside.</summary>
public abstract class Optimizer(IReadOnlyList<Parameter> parameters, float weightDecay) : IDisposable
{
    protected IReadOnlyList<Parameter> Parameters { get; } = parameters;

    public float WeightDecay { get; } = weightDecay;

    public abstract void Step(float learningRate);

    public abstract void Dispose();

    protected float DecayOf(Parameter parameter) => parameter.Decays ? WeightDecay : 0f;
}
