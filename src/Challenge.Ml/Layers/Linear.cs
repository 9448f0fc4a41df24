using Challenge.Ml.Backends;
using Challenge.Ml.Tensors;

namespace Challenge.Ml.Layers;

/// <summary>y = x W + b for x of shape [batch, inputs]; W is stored [inputs, outputs].</summary>
public sealed class Linear : Layer
{
    private readonly Parameter _weight;
    private readonly Parameter _bias;
    private Tensor? _input;
    private Tensor? _output;
    private Tensor? _inputGradient;

    /// <param name="zeroWeights">
    /// Start from all-zero weights, as logistic regression does; hidden layers need random
    /// (He-normal, the default) weights to break symmetry.
    /// </param>
    public Linear(IBackend backend, int inputs, int outputs, Random random, bool zeroWeights = false)
        : base(backend)
    {
        Inputs = inputs;
        Outputs = outputs;
        var weight = zeroWeights
            ? WeightInitializer.Constant(backend, 0f, inputs, outputs)
            : WeightInitializer.HeNormal(backend, random, inputs, inputs, outputs);
        _weight = new Parameter("weight", weight, decays: true);
        _bias = new Parameter("bias", WeightInitializer.Constant(backend, 0f, outputs), decays: false);
    }

    public int Inputs { get; }

    public int Outputs { get; }

    public Parameter Weight => _weight;

    public Parameter Bias => _bias;

    public override IReadOnlyList<Parameter> Parameters => [_weight, _bias];

    public override Tensor Forward(Tensor input, bool training)
    {
        if (input.Rank != 2 || input.Dimension(1) != Inputs)
        {
            throw new ArgumentException($"Linear({Inputs}, {Outputs}) expects [batch, {Inputs}], got {input}.");
        }

        _input = input;
        var batch = input.Dimension(0);
        var output = Reuse(ref _output, batch, Outputs);
        Backend.Gemm(false, false, batch, Outputs, Inputs, 1f, input, _weight.Value, 0f, output);
        Backend.AddRowVector(output, _bias.Value);
        return output;
    }

    public override Tensor Backward(Tensor outputGradient)
    {
        var input = RequireForward(_input, nameof(Linear));
        var batch = input.Dimension(0);
        Backend.Gemm(true, false, Inputs, Outputs, batch, 1f, input, outputGradient, 0f, _weight.Gradient);
        Backend.SumRows(outputGradient, _bias.Gradient);
        if (!ComputesInputGradient)
        {
            return outputGradient;
        }

        var inputGradient = Reuse(ref _inputGradient, batch, Inputs);
        Backend.Gemm(false, true, batch, Inputs, Outputs, 1f, outputGradient, _weight.Value, 0f, inputGradient);
        return inputGradient;
    }
}
