using System.Runtime.InteropServices;

namespace Challenge.Ml.Backends;

/// <summary>Chooses the backend for a run from the user's device preference.</summary>
public static class BackendFactory
{
    public const string CudaDriverLibrary = "libcuda.so.1";

    /// <summary>
    /// Creates the backend for <paramref name="preference"/>. With <see cref="DevicePreference.Auto"/>
    /// a missing or unusable GPU is not an error: the CPU is used and <paramref name="log"/> is
    /// told why. Asking for CUDA explicitly fails instead, so a misconfigured GPU machine is noticed.
    /// </summary>
    /// <param name="cudaDriverLibrary">Name or path of the CUDA driver library to probe.</param>
    public static IBackend Create(DevicePreference preference, Action<string>? log = null, string cudaDriverLibrary = CudaDriverLibrary)
    {
        if (preference == DevicePreference.Cpu)
        {
            return new CpuBackend();
        }

        if (!NativeLibrary.TryLoad(cudaDriverLibrary, out var driver))
        {
            var reason = $"the CUDA driver library {cudaDriverLibrary} could not be loaded (no NVIDIA driver on this machine)";
            return Fallback(preference, reason, log);
        }

        NativeLibrary.Free(driver);
        return Fallback(preference, "a CUDA driver is present but this build has no CUDA backend", log);
    }

    public static DevicePreference ParsePreference(string value) => value.ToLowerInvariant() switch
    {
        "auto" => DevicePreference.Auto,
        "cpu" => DevicePreference.Cpu,
        "cuda" or "gpu" => DevicePreference.Cuda,
        _ => throw new ArgumentException($"Unknown device '{value}': expected auto, cpu or cuda."),
    };

    private static CpuBackend Fallback(DevicePreference preference, string reason, Action<string>? log)
    {
        if (preference == DevicePreference.Cuda)
        {
            throw new InvalidOperationException($"CUDA was requested but {reason}.");
        }

        var backend = new CpuBackend();
        log?.Invoke($"device: CUDA unavailable, {reason}; using {backend.Name}");
        return backend;
    }
}
