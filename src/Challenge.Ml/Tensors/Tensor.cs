using Challenge.Ml.Backends;

namespace Challenge.Ml.Tensors;

/// <summary>
/// A dense, row-major float32 tensor living on one backend. Reshaping gives a view over the
/// same buffer, so flattening costs nothing.
/// </summary>
public sealed class Tensor : IDisposable
{
    private readonly int[] _shape;

    internal Tensor(IBackend backend, DeviceBuffer buffer, int[] shape)
    {
        var length = ElementCount(shape);
        if (length != buffer.Length)
        {
            throw new ArgumentException(
                $"Shape [{string.Join(", ", shape)}] holds {length} elements but the buffer holds {buffer.Length}.");
        }

        Backend = backend;
        Buffer = buffer;
        _shape = (int[])shape.Clone();
    }

    public IBackend Backend { get; }

    public DeviceBuffer Buffer { get; }

    public ReadOnlySpan<int> Shape => _shape;

    public int Rank => _shape.Length;

    public int Length => Buffer.Length;

    public int Dimension(int axis) => _shape[axis < 0 ? _shape.Length + axis : axis];

    /// <summary>Returns a view with another shape over the same elements.</summary>
    public Tensor Reshape(params int[] shape) => new(Backend, Buffer, shape);

    public float[] ToArray()
    {
        var result = new float[Length];
        Backend.CopyToHost(this, result);
        return result;
    }

    public bool HasShape(ReadOnlySpan<int> shape) => shape.SequenceEqual(_shape);

    public override string ToString() => $"Tensor[{string.Join(", ", _shape)}] on {Backend.Name}";

    /// <summary>Frees the buffer; views made with <see cref="Reshape"/> share it and die with it.</summary>
    public void Dispose() => Buffer.Dispose();

    public static int ElementCount(ReadOnlySpan<int> shape)
    {
        long count = 1;
        foreach (var dimension in shape)
        {
            if (dimension < 0)
            {
                throw new ArgumentException("Tensor dimensions cannot be negative.");
            }

            count *= dimension;
        }

        if (count > Array.MaxLength)
        {
            throw new ArgumentException($"A tensor of {count} elements is larger than one buffer can hold.");
        }

        return (int)count;
    }
}
