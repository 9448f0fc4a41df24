using Challenge.Ml.Backends;
using Challenge.Ml.Tensors;

namespace Challenge.Ml.Layers;

/// <summary>2x2 max-pooling with stride 2 over NHWC images; an odd last row or column is dropped.</summary>
public sealed class MaxPool2x2(IBackend backend) : Layer(backend)
{
    private Tensor? _output;
    private Tensor? _argmax;
    private Tensor? _inputGradient;
    private int[] _inputShape = [];

    public override Tensor Forward(Tensor input, bool training)
    {
        if (input.Rank != 4 || input.Dimension(1) < 2 || input.Dimension(2) < 2)
        {
            throw new ArgumentException($"MaxPool2x2 expects NHWC images at least 2x2, got {input}.");
        }

        _inputShape = input.Shape.ToArray();
        var (n, h, w, c) = (_inputShape[0], _inputShape[1], _inputShape[2], _inputShape[3]);
        var output = Reuse(ref _output, n, h / 2, w / 2, c);
        var argmax = Reuse(ref _argmax, n, h / 2, w / 2, c);
        Backend.MaxPool2x2(input, n, h, w, c, output, argmax);
        return output;
    }

    public override Tensor Backward(Tensor outputGradient)
    {
        var argmax = RequireForward(_argmax, nameof(MaxPool2x2));
        if (!ComputesInputGradient)
        {
            return outputGradient;
        }

        var (n, h, w, c) = (_inputShape[0], _inputShape[1], _inputShape[2], _inputShape[3]);
        var inputGradient = Reuse(ref _inputGradient, _inputShape);
        Backend.MaxPool2x2Backward(outputGradient, argmax, n, h, w, c, inputGradient);
        return inputGradient;
    }
}
