using Challenge.Ml.Tensors;

namespace Challenge.Ml.Backends.Cuda;

/// <summary>Device memory of <see cref="DeviceBuffer.Length"/> 4-byte elements.</summary>
internal sealed class CudaBuffer(CudaBackend owner, ulong pointer, int length) : DeviceBuffer(length)
{
    private bool _freed;

    public ulong Pointer { get; } = pointer;

    protected override void Release()
    {
        if (!_freed)
        {
            _freed = true;
            owner.Free(Pointer);
        }
    }
}
