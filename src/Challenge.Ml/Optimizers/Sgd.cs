using Challenge.Ml.Layers;
using Challenge.Ml.Tensors;

namespace Challenge.Ml.Optimizers;

/// <summary>Stochastic gradient descent with momentum and L2 weight decay.</summary>
public sealed class Sgd : Optimizer
{
    private readonly Tensor[] _velocities;

    public Sgd(IReadOnlyList<Parameter> parameters, float momentum = 0.9f, float weightDecay = 0f)
        : base(parameters, weightDecay)
    {
        Momentum = momentum;
        _velocities = [.. parameters.Select(p => p.Value.Backend.Allocate(p.Value.Shape.ToArray()))];
    }

    public float Momentum { get; }

    public override void Step(float learningRate)
    {
        for (var i = 0; i < Parameters.Count; i++)
        {
            var parameter = Parameters[i];
            parameter.Value.Backend.SgdStep(parameter.Value, parameter.Gradient, _velocities[i], learningRate, Momentum, DecayOf(parameter));
        }
    }

    public override void Dispose()
    {
        foreach (var velocity in _velocities)
        {
            velocity.Dispose();
        }
    }
}
