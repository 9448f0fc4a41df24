namespace Challenge.Ml.Tensors;

/// <summary>
/// Memory owned by a backend. Each backend subclasses it (host array, device pointer) and is
/// the only code that looks inside.
/// </summary>
public abstract class DeviceBuffer : IDisposable
{
    protected DeviceBuffer(int length) => Length = length;

    public int Length { get; }

    public void Dispose()
    {
        Release();
        GC.SuppressFinalize(this);
    }

    protected virtual void Release()
    {
    }
}
