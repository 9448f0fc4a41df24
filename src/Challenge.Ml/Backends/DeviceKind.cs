namespace Challenge.Ml.Backends;

public enum DeviceKind
{
    Cpu,
    Cuda,
}
