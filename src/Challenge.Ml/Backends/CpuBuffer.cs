using Challenge.Ml.Tensors;

namespace Challenge.Ml.Backends;

internal sealed class CpuBuffer(float[] data) : DeviceBuffer(data.Length)
{
    public float[] Data { get; } = data;
}
