namespace Challenge.Ml.Backends.Cuda;

/// <summary>A failed call into the CUDA driver, cuBLAS or NVRTC.</summary>
public sealed class CudaException(string message) : Exception(message);
