using System.Text;
using Challenge.Ml.Backends.Cuda;

namespace Challenge.Ml.Tests;

/// <summary>
/// A test that needs NVRTC (the CUDA compiler library, no GPU). Skipped with the reason on a
/// developer machine without it; in CI (CI=true), where .ci/run installs Debian's libnvrtc11.2,
/// a missing library fails instead, so the kernels are always compiled there.
/// </summary>
public sealed class NvrtcFactAttribute : FactAttribute
{
    public NvrtcFactAttribute()
    {
        if (KernelCompileTests.Compiler.Value is null && !KernelCompileTests.InCi)
        {
            Skip = $"NVRTC not available, the CUDA kernels are not compile-checked here: {KernelCompileTests.Missing}. Install libnvrtc11.2 (Debian non-free) to run it.";
        }
    }
}

// The CUDA backend has never run on a GPU in CI: compiling its kernels to PTX is what catches a
// kernel that does not compile before a user with a GPU does.
public sealed class KernelCompileTests
{
    internal static readonly Lazy<Nvrtc?> Compiler = new(() => Nvrtc.TryLoad(out var nvrtc, out Missing) ? nvrtc : null);

    internal static string Missing = "";

    internal static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    // compute_52 is the oldest architecture CUDA 11.8's NVRTC targets that the backend supports;
    // compute_80 and compute_90 the A100 and H100 the GPU machines have.
    [NvrtcFact]
    public void Every_kernel_of_the_cuda_backend_compiles_to_ptx()
    {
        var nvrtc = Compiler.Value ?? throw new InvalidOperationException($"CI must compile the CUDA kernels, but {Missing}. .ci/run installs libnvrtc11.2 from Debian's non-free component.");
        foreach (var architecture in new[] { "compute_52", "compute_80", "compute_90" })
        {
            var ptx = Encoding.ASCII.GetString(nvrtc.CompileToPtx(CudaKernels.Source, CudaKernels.FileName, architecture));
            foreach (var kernel in CudaKernels.Names)
            {
                Assert.True(ptx.Contains($".entry {kernel}(", StringComparison.Ordinal), $"{architecture}: the PTX has no entry for kernel '{kernel}'.");
            }
        }
    }

    [NvrtcFact]
    public void A_kernel_with_a_syntax_error_fails_with_the_compiler_log()
    {
        var nvrtc = Compiler.Value ?? throw new InvalidOperationException($"CI must compile the CUDA kernels, but {Missing}.");
        var broken = CudaKernels.Source.Replace("if (i < n) x[i] = value;", "if (i < n) x[i] = value", StringComparison.Ordinal);
        Assert.NotEqual(CudaKernels.Source, broken);

        var error = Assert.Throws<CudaException>(() => nvrtc.CompileToPtx(broken, CudaKernels.FileName, "compute_80"));
        Assert.Contains(CudaKernels.FileName, error.Message);
        Assert.Contains("error", error.Message);
    }
}
