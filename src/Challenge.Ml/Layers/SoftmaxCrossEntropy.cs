using Challenge.Ml.Backends;
using Challenge.Ml.Tensors;

namespace Challenge.Ml.Layers;

/// <summary>Mean softmax cross-entropy over a batch of logits, with its gradient.</summary>
public sealed class SoftmaxCrossEntropy(IBackend backend) : IDisposable
{
    private Tensor? _probabilities;
    private Tensor? _gradient;

    /// <summary>Gradient of the last computed loss with respect to the logits.</summary>
    public Tensor Gradient => _gradient ?? throw new InvalidOperationException("No loss has been computed yet.");

    /// <summary>Softmax probabilities of the last computed batch.</summary>
    public Tensor Probabilities => _probabilities ?? throw new InvalidOperationException("No loss has been computed yet.");

    public float Compute(Tensor logits, ReadOnlySpan<int> labels)
    {
        var shape = logits.Shape.ToArray();
        if (_probabilities is null || !_probabilities.HasShape(shape))
        {
            _probabilities?.Dispose();
            _gradient?.Dispose();
            _probabilities = backend.Allocate(shape);
            _gradient = backend.Allocate(shape);
        }

        return backend.SoftmaxCrossEntropy(logits, labels, _probabilities, _gradient!);
    }

    public void Dispose()
    {
        _probabilities?.Dispose();
        _gradient?.Dispose();
    }
}
