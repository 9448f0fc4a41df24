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
    private ulong _state;
    private float[] _hostMask = [];
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
        _state = (ulong)random.NextInt64();
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

        // One random byte per unit (eight from each SplitMix64 draw) is much faster than a
        // float each; the drop rate is rounded to a multiple of 1/256 and kept units are scaled
        // by the rate actually used.
        var dropBelow = (ulong)Math.Round(Probability * 256);
        var keep = 256f / (256 - dropBelow);
        for (var i = 0; i < _hostMask.Length; i += 8)
        {
            var bits = NextRandom();
            var end = Math.Min(_hostMask.Length, i + 8);
            for (var j = i; j < end; j++, bits >>= 8)
            {
                _hostMask[j] = (bits & 0xFF) < dropBelow ? 0f : keep;
            }
        }

        Backend.CopyFromHost(_hostMask, mask);
        var output = Reuse(ref _output, shape);
        Backend.Multiply(input, mask, output);
        return output;
    }

    private ulong NextRandom()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
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
