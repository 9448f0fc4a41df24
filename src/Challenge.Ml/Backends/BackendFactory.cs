using Challenge.Ml.Backends.Cuda;

namespace Challenge.Ml.Backends;

/// <summary>Chooses the backend for a run from the user's device preference.</summary>
public static class BackendFactory
{
    public const string CudaDriverLibrary = "libcuda.so.1";

    /// <summary>
    /// Creates the backend for <paramref name="preference"/>. With <see cref="DevicePreference.Auto"/>
    /// a missing or unusable GPU (no driver, no device, no cuBLAS or NVRTC) is not an error: the
    /// CPU is used and <paramref name="log"/> is told why. Asking for CUDA explicitly fails instead, so a misconfigured GPU machine is noticed.
    /// </summary>
    /// <param name="cudaDriverLibrary">Name or path of the CUDA driver library to probe.</param>
    /// <param name="cpuThreads">Threads the CPU backend may use (null: every core).</param>
    public static IBackend Create(DevicePreference preference, Action<string>? log = null, string cudaDriverLibrary = CudaDriverLibrary, int? cpuThreads = null)
    {
        if (preference == DevicePreference.Cpu)
        {
            return new CpuBackend(cpuThreads);
        }

        if (CudaBackend.TryCreate(cudaDriverLibrary, out var cuda, out var reason))
        {
            log?.Invoke($"device: using {cuda!.Name}");
            return cuda!;
        }

        return Fallback(preference, reason, log, cpuThreads);
    }

    public static DevicePreference ParsePreference(string value) => value.ToLowerInvariant() switch
    {
        "auto" => DevicePreference.Auto,
        "cpu" => DevicePreference.Cpu,
        "cuda" or "gpu" => DevicePreference.Cuda,
        _ => throw new ArgumentException($"Unknown device '{value}': expected auto, cpu or cuda."),
    };

    private static CpuBackend Fallback(DevicePreference preference, string reason, Action<string>? log, int? cpuThreads)
    {
        if (preference == DevicePreference.Cuda)
        {
            throw new InvalidOperationException($"CUDA was requested but {reason}.");
        }

        var backend = new CpuBackend(cpuThreads);
        log?.Invoke($"device: CUDA unavailable, {reason}; using {backend.Name}");
        return backend;
    }
}
