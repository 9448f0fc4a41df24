using Challenge.Ml.Backends;
using Challenge.Ml.Tensors;

namespace Challenge.Ml.Layers;

/// <summary>
/// Batch normalisation over the last axis (features of a dense layer, channels of an NHWC
/// image). Training uses batch statistics and updates running ones, which evaluation uses.
/// </summary>
public sealed class BatchNorm : Layer
{
    private readonly Parameter _gamma;
    private readonly Parameter _beta;
    private readonly Tensor _batchMean;
    private readonly Tensor _batchVariance;
    private readonly Tensor _invStd;
    private Tensor? _normalized;
    private Tensor? _output;
    private Tensor? _inputGradient;
    private bool _trainedForward;

    public BatchNorm(IBackend backend, int channels, float momentum = 0.1f, float epsilon = 1e-5f)
        : base(backend)
    {
        Channels = channels;
        Momentum = momentum;
        Epsilon = epsilon;
        _gamma = new Parameter("gamma", WeightInitializer.Constant(backend, 1f, channels), decays: false);
        _beta = new Parameter("beta", WeightInitializer.Constant(backend, 0f, channels), decays: false);
        RunningMean = WeightInitializer.Constant(backend, 0f, channels);
        RunningVariance = WeightInitializer.Constant(backend, 1f, channels);
        _batchMean = backend.Allocate(channels);
        _batchVariance = backend.Allocate(channels);
        _invStd = backend.Allocate(channels);
    }

    public int Channels { get; }

    public float Momentum { get; }

    public float Epsilon { get; }

    public Tensor RunningMean { get; }

    public Tensor RunningVariance { get; }

    public Parameter Gamma => _gamma;

    public Parameter Beta => _beta;

    public override IReadOnlyList<Parameter> Parameters => [_gamma, _beta];

    public override Tensor Forward(Tensor input, bool training)
    {
        if (input.Dimension(-1) != Channels)
        {
            throw new ArgumentException($"BatchNorm({Channels}) got {input}.");
        }

        var rows = input.Length / Channels;
        var shape = input.Shape.ToArray();
        var matrix = input.Reshape(rows, Channels);
        var normalized = Reuse(ref _normalized, rows, Channels);
        var output = Reuse(ref _output, shape);
        _trainedForward = training;
        if (training)
        {
            if (rows < 2)
            {
                throw new ArgumentException("Batch norm needs at least two values per channel in training.");
            }

            Backend.ChannelMeanVariance(matrix, _batchMean, _batchVariance);
            Backend.InverseStandardDeviation(_batchVariance, Epsilon, _invStd);
            Backend.BatchNormForward(matrix, _batchMean, _invStd, _gamma.Value, _beta.Value, normalized, output.Reshape(rows, Channels));

            // Running variance is the unbiased estimate, as in PyTorch.
            Backend.Lerp(RunningMean, _batchMean, Momentum, 1f);
            Backend.Lerp(RunningVariance, _batchVariance, Momentum, rows / (rows - 1f));
        }
        else
        {
            Backend.InverseStandardDeviation(RunningVariance, Epsilon, _invStd);
            Backend.BatchNormForward(matrix, RunningMean, _invStd, _gamma.Value, _beta.Value, normalized, output.Reshape(rows, Channels));
        }

        return output;
    }

    public override Tensor Backward(Tensor outputGradient)
    {
        var normalized = RequireForward(_normalized, nameof(BatchNorm));
        if (!_trainedForward)
        {
            throw new InvalidOperationException("BatchNorm.Backward needs a training-mode forward pass.");
        }

        var rows = normalized.Dimension(0);
        var inputGradient = Reuse(ref _inputGradient, outputGradient.Shape.ToArray());
        Backend.BatchNormBackward(
            outputGradient.Reshape(rows, Channels),
            normalized,
            _invStd,
            _gamma.Value,
            inputGradient.Reshape(rows, Channels),
            _gamma.Gradient,
            _beta.Gradient);
        return ComputesInputGradient ? inputGradient : outputGradient;
    }

    protected override void DisposeState()
    {
        RunningMean.Dispose();
        RunningVariance.Dispose();
        _batchMean.Dispose();
        _batchVariance.Dispose();
        _invStd.Dispose();
    }
}
