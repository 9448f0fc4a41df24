using System.Runtime.InteropServices;
using System.Text;

namespace Challenge.Ml.Backends.Cuda;

/// <summary>
/// The few entry points of the CUDA driver API, cuBLAS and NVRTC the backend uses, bound at run
/// time with <see cref="NativeLibrary"/> so that the assembly loads on machines without them.
/// </summary>
internal sealed unsafe class CudaApi
{
    private CudaApi(IntPtr driver, IntPtr cublas, IntPtr nvrtc)
    {
        cuInit = (delegate* unmanaged<uint, int>)Export(driver, "cuInit");
        cuDeviceGetCount = (delegate* unmanaged<int*, int>)Export(driver, "cuDeviceGetCount");
        cuDeviceGet = (delegate* unmanaged<int*, int, int>)Export(driver, "cuDeviceGet");
        cuDeviceGetName = (delegate* unmanaged<byte*, int, int, int>)Export(driver, "cuDeviceGetName");
        cuDeviceGetAttribute = (delegate* unmanaged<int*, int, int, int>)Export(driver, "cuDeviceGetAttribute");
        cuDevicePrimaryCtxRetain = (delegate* unmanaged<IntPtr*, int, int>)Export(driver, "cuDevicePrimaryCtxRetain");
        cuDevicePrimaryCtxRelease = (delegate* unmanaged<int, int>)Export(driver, "cuDevicePrimaryCtxRelease_v2");
        cuCtxSetCurrent = (delegate* unmanaged<IntPtr, int>)Export(driver, "cuCtxSetCurrent");
        cuCtxSynchronize = (delegate* unmanaged<int>)Export(driver, "cuCtxSynchronize");
        cuMemAlloc = (delegate* unmanaged<ulong*, nuint, int>)Export(driver, "cuMemAlloc_v2");
        cuMemFree = (delegate* unmanaged<ulong, int>)Export(driver, "cuMemFree_v2");
        cuMemcpyHtoD = (delegate* unmanaged<ulong, void*, nuint, int>)Export(driver, "cuMemcpyHtoD_v2");
        cuMemcpyDtoH = (delegate* unmanaged<void*, ulong, nuint, int>)Export(driver, "cuMemcpyDtoH_v2");
        cuMemcpyDtoD = (delegate* unmanaged<ulong, ulong, nuint, int>)Export(driver, "cuMemcpyDtoD_v2");
        cuMemsetD32 = (delegate* unmanaged<ulong, uint, nuint, int>)Export(driver, "cuMemsetD32_v2");
        cuModuleLoadData = (delegate* unmanaged<IntPtr*, void*, int>)Export(driver, "cuModuleLoadData");
        cuModuleUnload = (delegate* unmanaged<IntPtr, int>)Export(driver, "cuModuleUnload");
        cuModuleGetFunction = (delegate* unmanaged<IntPtr*, IntPtr, byte*, int>)Export(driver, "cuModuleGetFunction");
        cuLaunchKernel = (delegate* unmanaged<IntPtr, uint, uint, uint, uint, uint, uint, uint, IntPtr, void**, void**, int>)Export(driver, "cuLaunchKernel");
        cuGetErrorString = (delegate* unmanaged<int, byte**, int>)Export(driver, "cuGetErrorString");

        cublasCreate = (delegate* unmanaged<IntPtr*, int>)Export(cublas, "cublasCreate_v2");
        cublasDestroy = (delegate* unmanaged<IntPtr, int>)Export(cublas, "cublasDestroy_v2");
        cublasSgemm = (delegate* unmanaged<IntPtr, int, int, int, int, int, float*, ulong, int, ulong, int, float*, ulong, int, int>)Export(cublas, "cublasSgemm_v2");

        Nvrtc = new Nvrtc(nvrtc);
    }

#pragma warning disable SA1300, IDE1006 // The fields keep NVIDIA's function names.
    public delegate* unmanaged<uint, int> cuInit { get; }

    public delegate* unmanaged<int*, int> cuDeviceGetCount { get; }

    public delegate* unmanaged<int*, int, int> cuDeviceGet { get; }

    public delegate* unmanaged<byte*, int, int, int> cuDeviceGetName { get; }

    public delegate* unmanaged<int*, int, int, int> cuDeviceGetAttribute { get; }

    public delegate* unmanaged<IntPtr*, int, int> cuDevicePrimaryCtxRetain { get; }

    public delegate* unmanaged<int, int> cuDevicePrimaryCtxRelease { get; }

    public delegate* unmanaged<IntPtr, int> cuCtxSetCurrent { get; }

    public delegate* unmanaged<int> cuCtxSynchronize { get; }

    public delegate* unmanaged<ulong*, nuint, int> cuMemAlloc { get; }

    public delegate* unmanaged<ulong, int> cuMemFree { get; }

    public delegate* unmanaged<ulong, void*, nuint, int> cuMemcpyHtoD { get; }

    public delegate* unmanaged<void*, ulong, nuint, int> cuMemcpyDtoH { get; }

    public delegate* unmanaged<ulong, ulong, nuint, int> cuMemcpyDtoD { get; }

    public delegate* unmanaged<ulong, uint, nuint, int> cuMemsetD32 { get; }

    public delegate* unmanaged<IntPtr*, void*, int> cuModuleLoadData { get; }

    public delegate* unmanaged<IntPtr, int> cuModuleUnload { get; }

    public delegate* unmanaged<IntPtr*, IntPtr, byte*, int> cuModuleGetFunction { get; }

    public delegate* unmanaged<IntPtr, uint, uint, uint, uint, uint, uint, uint, IntPtr, void**, void**, int> cuLaunchKernel { get; }

    public delegate* unmanaged<int, byte**, int> cuGetErrorString { get; }

    public delegate* unmanaged<IntPtr*, int> cublasCreate { get; }

    public delegate* unmanaged<IntPtr, int> cublasDestroy { get; }

    public delegate* unmanaged<IntPtr, int, int, int, int, int, float*, ulong, int, ulong, int, float*, ulong, int, int> cublasSgemm { get; }

#pragma warning restore SA1300, IDE1006

    public Nvrtc Nvrtc { get; }

    /// <summary>Loads the three libraries; on failure says which one is missing.</summary>
    public static bool TryLoad(string driverLibrary, out CudaApi? api, out string reason)
    {
        api = null;
        if (!NativeLibraries.TryLoad([driverLibrary], out var driver, out var tried))
        {
            reason = $"the CUDA driver library {tried} could not be loaded (no NVIDIA driver on this machine)";
            return false;
        }

        if (!NativeLibraries.TryLoad(NativeLibraries.Cublas, out var cublas, out tried))
        {
            reason = $"a CUDA driver is present but cuBLAS was not found (tried {tried}; set {NativeLibraries.SearchPathVariable})";
            return false;
        }

        if (!NativeLibraries.TryLoad(NativeLibraries.Nvrtc, out var nvrtc, out tried))
        {
            reason = $"a CUDA driver is present but NVRTC was not found (tried {tried}; set {NativeLibraries.SearchPathVariable})";
            return false;
        }

        try
        {
            api = new CudaApi(driver, cublas, nvrtc);
            reason = string.Empty;
            return true;
        }
        catch (EntryPointNotFoundException exception)
        {
            reason = $"a CUDA library lacks an expected function: {exception.Message}";
            return false;
        }
    }

    public void Check(int result, string call)
    {
        if (result == 0)
        {
            return;
        }

        byte* text = null;
        var description = cuGetErrorString(result, &text) == 0 && text is not null
            ? Marshal.PtrToStringUTF8((IntPtr)text)
            : "unknown error";
        throw new CudaException($"{call} failed with CUDA error {result}: {description}");
    }

    public static void CheckCublas(int status, string call)
    {
        if (status != 0)
        {
            throw new CudaException($"{call} failed with cuBLAS status {status}");
        }
    }

    public static string Utf8(ReadOnlySpan<byte> bytes)
    {
        var end = bytes.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
    }

    private static IntPtr Export(IntPtr library, string name) => NativeLibrary.GetExport(library, name);
}
