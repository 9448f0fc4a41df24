using Challenge.Ml.Layers;
using Challenge.Ml.Tensors;

namespace Challenge.Ml.Optimizers;

/// <summary>Adam with decoupled weight decay (AdamW when weight decay is non-zero).</summary>
public sealed class Adam : Optimizer
{
    private readonly Tensor[] _firstMoments;
    private readonly Tensor[] _secondMoments;
    private int _step;

    public Adam(IReadOnlyList<Parameter> parameters, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f, float weightDecay = 0f)
        : base(parameters, weightDecay)
    {
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        _firstMoments = [.. parameters.Select(p => p.Value.Backend.Allocate(p.Value.Shape.ToArray()))];
        _secondMoments = [.. parameters.Select(p => p.Value.Backend.Allocate(p.Value.Shape.ToArray()))];
    }

    public float Beta1 { get; }

    public float Beta2 { get; }

    public float Epsilon { get; }

    public override void Step(float learningRate)
    {
        _step++;
        for (var i = 0; i < Parameters.Count; i++)
        {
            var parameter = Parameters[i];
            parameter.Value.Backend.AdamStep(
                parameter.Value,
                parameter.Gradient,
                _firstMoments[i],
                _secondMoments[i],
                learningRate,
                Beta1,
                Beta2,
                Epsilon,
                DecayOf(parameter),
                _step);
        }
    }

    public override void Dispose()
    {
        foreach (var moment in _firstMoments.Concat(_secondMoments))
        {
            moment.Dispose();
        }
    }
}
