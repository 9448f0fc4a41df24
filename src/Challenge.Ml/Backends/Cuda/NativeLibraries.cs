using System.Runtime.InteropServices;

namespace Challenge.Ml.Backends.Cuda;

/// <summary>
/// Finds NVIDIA's shared libraries. cuBLAS and NVRTC often live outside the loader's path
/// (pip wheels put them under site-packages/nvidia/*/lib), so directories listed in
/// CHALLENGE_CUDA_LIBRARY_PATH (colon-separated) are tried before the loader's own search.
/// </summary>
internal static class NativeLibraries
{
    public const string SearchPathVariable = "CHALLENGE_CUDA_LIBRARY_PATH";

    public static readonly string[] Driver = ["libcuda.so.1", "libcuda.so"];
    public static readonly string[] Cublas = ["libcublas.so.13", "libcublas.so.12", "libcublas.so.11", "libcublas.so"];
    public static readonly string[] Nvrtc = ["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so"];

    public static bool TryLoad(IReadOnlyList<string> names, out IntPtr handle, out string tried)
    {
        var directories = (Environment.GetEnvironmentVariable(SearchPathVariable) ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var name in names)
        {
            foreach (var directory in directories)
            {
                if (NativeLibrary.TryLoad(Path.Combine(directory, name), out handle))
                {
                    tried = string.Empty;
                    return true;
                }
            }

            if (NativeLibrary.TryLoad(name, out handle))
            {
                tried = string.Empty;
                return true;
            }
        }

        handle = IntPtr.Zero;
        tried = string.Join(", ", names) + (directories.Length > 0 ? $" (also in {string.Join(", ", directories)})" : string.Empty);
        return false;
    }
}
