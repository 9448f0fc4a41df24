using Challenge.Ml.Backends;
using Challenge.Ml.Tensors;

namespace Challenge.Ml.Layers;

/// <summary>
/// Inverted dropout: in training each activation is zeroed with probability p and the rest are
/// scaled by 1/(1-p), so evaluation is the identity. The mask comes from a seeded generator on
/// the host, which keeps runs reproducible on every backend.
/// </summary>
public sealed class Dropout : Layer
{
    private readonly Random _random;
    private float[] _hostMask = [];
    private byte[] _randomBytes = [];
    private Tensor? _mask;
    private Tensor? _output;
    private Tensor? _inputGradient;
    private bool _masked;

    public Dropout(IBackend backend, float probability, Random random)
        : base(backend)
    {
        if (probability is < 0f or >= 1f)
        {
            throw new ArgumentOutOfRangeException(nameof(probability), "Dropout probability must be in [0, 1).");
        }

        Probability = probability;
        _random = new Random(random.Next());
    }

    public float Probability { get; }

    public override Tensor Forward(Tensor input, bool training)
    {
        _masked = training && Probability > 0f;
        if (!_masked)
        {
            return input;
        }

        var shape = input.Shape.ToArray();
        var mask = Reuse(ref _mask, shape);
        if (_hostMask.Length != input.Length)
        {
            _hostMask = new float[input.Length];
        }

        // One random byte per unit is much faster than a float each; the drop rate is then
        // rounded to a multiple of 1/256, and the kept units are scaled by the rate used.
        if (_randomBytes.Length != input.Length)
        {
            _randomBytes = new byte[input.Length];
        }

        _random.NextBytes(_randomBytes);
        var dropBelow = (int)Math.Round(Probability * 256);
        var keep = 256f / (256 - dropBelow);
        for (var i = 0; i < _hostMask.Length; i++)
        {
            _hostMask[i] = _randomBytes[i] < dropBelow ? 0f : keep;
        }

        Backend.CopyFromHost(_hostMask, mask);
        var output = Reuse(ref _output, shape);
        Backend.Multiply(input, mask, output);
        return output;
    }

    public override Tensor Backward(Tensor outputGradient)
    {
        if (!_masked || !ComputesInputGradient)
        {
            return outputGradient;
        }

        var mask = RequireForward(_mask, nameof(Dropout));
        var inputGradient = Reuse(ref _inputGradient, mask.Shape.ToArray());
        Backend.Multiply(outputGradient, mask, inputGradient);
        return inputGradient;
    }
}
