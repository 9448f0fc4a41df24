using Challenge.Ml.Backends;
using Challenge.Ml.Tensors;

namespace Challenge.Ml.Layers;

/// <summary>[batch, ...] to [batch, features] as a view; NHWC order is kept.</summary>
public sealed class Flatten(IBackend backend) : Layer(backend)
{
    private int[] _inputShape = [];

    public override Tensor Forward(Tensor input, bool training)
    {
        _inputShape = input.Shape.ToArray();
        return input.Reshape(_inputShape[0], input.Length / _inputShape[0]);
    }

    public override Tensor Backward(Tensor outputGradient) =>
        _inputShape.Length == 0
            ? throw new InvalidOperationException("Flatten.Backward was called before Forward.")
            : outputGradient.Reshape(_inputShape);
}
