using Challenge.Ml.Backends;
using Challenge.Ml.Backends.Cuda;

namespace Challenge.Ml.Tests;

/// <summary>A test that needs a working CUDA device; elsewhere it is reported as skipped, with the reason.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (CudaAvailability.Reason is { } reason)
        {
            Skip = $"CUDA not available: {reason}";
        }
    }
}

public sealed class CudaTheoryAttribute : TheoryAttribute
{
    public CudaTheoryAttribute()
    {
        if (CudaAvailability.Reason is { } reason)
        {
            Skip = $"CUDA not available: {reason}";
        }
    }
}

internal static class CudaAvailability
{
    private static readonly Lazy<string?> Probe = new(() =>
    {
        if (!CudaBackend.TryCreate(BackendFactory.CudaDriverLibrary, out var backend, out var reason))
        {
            return reason;
        }

        backend!.Dispose();
        return null;
    });

    /// <summary>Why CUDA cannot be used here, or null when it can.</summary>
    public static string? Reason => Probe.Value;
}
