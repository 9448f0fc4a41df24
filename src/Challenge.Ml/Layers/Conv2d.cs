using Challenge.Ml.Backends;
using Challenge.Ml.Tensors;

namespace Challenge.Ml.Layers;

/// <summary>
/// 2-D convolution of NHWC images as im2col followed by one matrix product:
/// [batch*outH*outW, k*k*inC] x [k*k*inC, outC] gives the NHWC output directly.
/// </summary>
public sealed class Conv2d : Layer
{
    private readonly Parameter _weight;
    private readonly Parameter? _bias;
    private ConvGeometry _geometry;
    private Tensor? _columns;
    private Tensor? _output;
    private Tensor? _columnGradient;
    private Tensor? _inputGradient;

    public Conv2d(IBackend backend, int inputChannels, int outputChannels, int kernelSize, Random random, int stride = 1, int padding = 0, bool bias = true)
        : base(backend)
    {
        InputChannels = inputChannels;
        OutputChannels = outputChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        var fanIn = kernelSize * kernelSize * inputChannels;
        _weight = new Parameter("weight", WeightInitializer.HeNormal(backend, random, fanIn, fanIn, outputChannels), decays: true);
        _bias = bias ? new Parameter("bias", WeightInitializer.Constant(backend, 0f, outputChannels), decays: false) : null;
    }

    public int InputChannels { get; }

    public int OutputChannels { get; }

    public int KernelSize { get; }

    public int Stride { get; }

    public int Padding { get; }

    public Parameter Weight => _weight;

    public Parameter? Bias => _bias;

    public override IReadOnlyList<Parameter> Parameters => _bias is null ? [_weight] : [_weight, _bias];

    public override Tensor Forward(Tensor input, bool training)
    {
        if (input.Rank != 4 || input.Dimension(3) != InputChannels)
        {
            throw new ArgumentException($"Conv2d expects NHWC input with {InputChannels} channels, got {input}.");
        }

        _geometry = new ConvGeometry(input.Dimension(0), input.Dimension(1), input.Dimension(2), InputChannels, KernelSize, Stride, Padding);
        var g = _geometry;
        if (g.OutputHeight <= 0 || g.OutputWidth <= 0)
        {
            throw new ArgumentException($"A {KernelSize}x{KernelSize} kernel does not fit a {g.Height}x{g.Width} image.");
        }

        var columns = Reuse(ref _columns, g.ColumnRows, g.ColumnWidth);
        Backend.Im2Col(input, g, columns);
        var output = Reuse(ref _output, g.BatchSize, g.OutputHeight, g.OutputWidth, OutputChannels);
        var outputMatrix = output.Reshape(g.ColumnRows, OutputChannels);
        Backend.Gemm(false, false, g.ColumnRows, OutputChannels, g.ColumnWidth, 1f, columns, _weight.Value, 0f, outputMatrix);
        if (_bias is not null)
        {
            Backend.AddRowVector(outputMatrix, _bias.Value);
        }

        return output;
    }

    public override Tensor Backward(Tensor outputGradient)
    {
        var columns = RequireForward(_columns, nameof(Conv2d));
        var g = _geometry;
        var gradientMatrix = outputGradient.Reshape(g.ColumnRows, OutputChannels);
        Backend.Gemm(true, false, g.ColumnWidth, OutputChannels, g.ColumnRows, 1f, columns, gradientMatrix, 0f, _weight.Gradient);
        if (_bias is not null)
        {
            Backend.SumRows(gradientMatrix, _bias.Gradient);
        }

        if (!ComputesInputGradient)
        {
            return outputGradient;
        }

        var columnGradient = Reuse(ref _columnGradient, g.ColumnRows, g.ColumnWidth);
        Backend.Gemm(false, true, g.ColumnRows, g.ColumnWidth, OutputChannels, 1f, gradientMatrix, _weight.Value, 0f, columnGradient);
        var inputGradient = Reuse(ref _inputGradient, g.BatchSize, g.Height, g.Width, InputChannels);
        Backend.Col2Im(columnGradient, g, inputGradient);
        return inputGradient;
    }
}
