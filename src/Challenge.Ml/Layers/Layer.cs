using Challenge.Ml.Backends;
using Challenge.Ml.Tensors;

namespace Challenge.Ml.Layers;

/// <summary>
/// A differentiable step. Forward keeps what backward needs; output buffers are reused while the
/// batch shape stays the same, so a training loop allocates nothing per batch.
/// </summary>
public abstract class Layer(IBackend backend) : IDisposable
{
    private readonly List<Tensor> _buffers = [];

    protected IBackend Backend { get; } = backend;

    public virtual IReadOnlyList<Parameter> Parameters => [];

    /// <summary>
    /// False for the first layer of a network: nobody needs the gradient of the input images,
    /// and skipping it saves a matrix product in the first convolution.
    /// </summary>
    public bool ComputesInputGradient { get; set; } = true;

    public abstract Tensor Forward(Tensor input, bool training);

    /// <summary>
    /// Fills parameter gradients and returns the gradient with respect to the last forward input
    /// (or the unchanged <paramref name="outputGradient"/> when <see cref="ComputesInputGradient"/> is false).
    /// </summary>
    public abstract Tensor Backward(Tensor outputGradient);

    public void Dispose()
    {
        foreach (var buffer in _buffers)
        {
            buffer.Dispose();
        }

        foreach (var parameter in Parameters)
        {
            parameter.Value.Dispose();
            parameter.Gradient.Dispose();
        }

        DisposeState();
        GC.SuppressFinalize(this);
    }

    protected virtual void DisposeState()
    {
    }

    /// <summary>Returns <paramref name="buffer"/> when it already has the shape, else a new zeroed tensor.</summary>
    protected Tensor Reuse(ref Tensor? buffer, params int[] shape)
    {
        if (buffer is not null && buffer.HasShape(shape))
        {
            return buffer;
        }

        if (buffer is not null)
        {
            _buffers.Remove(buffer);
            buffer.Dispose();
        }

        buffer = Backend.Allocate(shape);
        _buffers.Add(buffer);
        return buffer;
    }

    protected static Tensor RequireForward(Tensor? saved, string layer) =>
        saved ?? throw new InvalidOperationException($"{layer}.Backward was called before Forward.");
}
