using System.Runtime.InteropServices;
using System.Text;

namespace Challenge.Ml.Backends.Cuda;

/// <summary>
/// NVRTC, the CUDA C++ compiler library, bound at run time: it compiles kernel source to PTX
/// with no GPU and no driver present, so the backend's kernels can be compile-checked anywhere
/// the library is installed (Debian's <c>libnvrtc11.2</c> in CI).
/// See https://docs.nvidia.com/cuda/nvrtc/ for the calls.
/// </summary>
internal sealed unsafe class Nvrtc
{
    private readonly delegate* unmanaged<IntPtr*, byte*, byte*, int, byte**, byte**, int> _createProgram;
    private readonly delegate* unmanaged<IntPtr, int, byte**, int> _compileProgram;
    private readonly delegate* unmanaged<IntPtr, nuint*, int> _getPtxSize;
    private readonly delegate* unmanaged<IntPtr, byte*, int> _getPtx;
    private readonly delegate* unmanaged<IntPtr, nuint*, int> _getProgramLogSize;
    private readonly delegate* unmanaged<IntPtr, byte*, int> _getProgramLog;
    private readonly delegate* unmanaged<IntPtr*, int> _destroyProgram;

    /// <param name="library">A handle of the loaded NVRTC library.</param>
    /// <exception cref="EntryPointNotFoundException">The library lacks one of the calls.</exception>
    public Nvrtc(IntPtr library)
    {
        _createProgram = (delegate* unmanaged<IntPtr*, byte*, byte*, int, byte**, byte**, int>)NativeLibrary.GetExport(library, "nvrtcCreateProgram");
        _compileProgram = (delegate* unmanaged<IntPtr, int, byte**, int>)NativeLibrary.GetExport(library, "nvrtcCompileProgram");
        _getPtxSize = (delegate* unmanaged<IntPtr, nuint*, int>)NativeLibrary.GetExport(library, "nvrtcGetPTXSize");
        _getPtx = (delegate* unmanaged<IntPtr, byte*, int>)NativeLibrary.GetExport(library, "nvrtcGetPTX");
        _getProgramLogSize = (delegate* unmanaged<IntPtr, nuint*, int>)NativeLibrary.GetExport(library, "nvrtcGetProgramLogSize");
        _getProgramLog = (delegate* unmanaged<IntPtr, byte*, int>)NativeLibrary.GetExport(library, "nvrtcGetProgramLog");
        _destroyProgram = (delegate* unmanaged<IntPtr*, int>)NativeLibrary.GetExport(library, "nvrtcDestroyProgram");
    }

    /// <summary>Loads NVRTC by itself (no driver, no cuBLAS); on failure says what was tried.</summary>
    public static bool TryLoad(out Nvrtc? nvrtc, out string reason)
    {
        nvrtc = null;
        if (!NativeLibraries.TryLoad(NativeLibraries.Nvrtc, out var library, out var tried))
        {
            reason = $"NVRTC was not found (tried {tried}; set {NativeLibraries.SearchPathVariable})";
            return false;
        }

        try
        {
            nvrtc = new Nvrtc(library);
            reason = string.Empty;
            return true;
        }
        catch (EntryPointNotFoundException exception)
        {
            reason = $"the NVRTC library lacks an expected function: {exception.Message}";
            return false;
        }
    }

    /// <summary>Compiles CUDA C++ source to PTX for a virtual architecture such as "compute_80".</summary>
    /// <exception cref="CudaException">The source does not compile; the message holds NVRTC's log.</exception>
    public byte[] CompileToPtx(string source, string fileName, string architecture)
    {
        IntPtr program;
        var sourceBytes = Encoding.UTF8.GetBytes(source + "\0");
        var nameBytes = Encoding.UTF8.GetBytes(fileName + "\0");
        fixed (byte* sourceText = sourceBytes)
        fixed (byte* nameText = nameBytes)
        {
            Check(_createProgram(&program, sourceText, nameText, 0, null, null), "nvrtcCreateProgram");
        }

        try
        {
            var option = Encoding.ASCII.GetBytes($"--gpu-architecture={architecture}\0");
            fixed (byte* optionText = option)
            {
                var options = stackalloc byte*[1];
                options[0] = optionText;
                var result = _compileProgram(program, 1, options);
                if (result != 0)
                {
                    throw new CudaException($"NVRTC could not compile {fileName} for {architecture} (status {result}): {Log(program)}");
                }
            }

            nuint size;
            Check(_getPtxSize(program, &size), "nvrtcGetPTXSize");
            var ptx = new byte[(int)size];
            fixed (byte* text = ptx)
            {
                Check(_getPtx(program, text), "nvrtcGetPTX");
            }

            return ptx;
        }
        finally
        {
            _destroyProgram(&program);
        }
    }

    private string Log(IntPtr program)
    {
        nuint size;
        if (_getProgramLogSize(program, &size) != 0 || size == 0)
        {
            return "(no log)";
        }

        var log = new byte[(int)size];
        fixed (byte* text = log)
        {
            _getProgramLog(program, text);
        }

        return CudaApi.Utf8(log);
    }

    private static void Check(int status, string call)
    {
        if (status != 0)
        {
            throw new CudaException($"{call} failed with NVRTC status {status}");
        }
    }
}
