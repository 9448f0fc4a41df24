namespace Challenge.Ml.Backends;

public enum DevicePreference
{
    /// <summary>CUDA when a driver and a CUDA backend are present, else the CPU.</summary>
    Auto,
    Cpu,
    Cuda,
}
