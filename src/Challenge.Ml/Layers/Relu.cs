using Challenge.Ml.Backends;
using Challenge.Ml.Tensors;

namespace Challenge.Ml.Layers;

public sealed class Relu(IBackend backend) : Layer(backend)
{
    private Tensor? _input;
    private Tensor? _output;
    private Tensor? _inputGradient;

    public override Tensor Forward(Tensor input, bool training)
    {
        _input = input;
        var output = Reuse(ref _output, input.Shape.ToArray());
        Backend.Relu(input, output);
        return output;
    }

    public override Tensor Backward(Tensor outputGradient)
    {
        var input = RequireForward(_input, nameof(Relu));
        if (!ComputesInputGradient)
        {
            return outputGradient;
        }

        var inputGradient = Reuse(ref _inputGradient, input.Shape.ToArray());
        Backend.ReluBackward(input, outputGradient, inputGradient);
        return inputGradient;
    }
}
