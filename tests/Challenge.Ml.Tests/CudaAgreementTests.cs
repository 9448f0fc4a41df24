using Challenge.Ml.Backends;
using Challenge.Ml.Backends.Cuda;

namespace Challenge.Ml.Tests;

/// <summary>
/// The CUDA backend must agree with the CPU backend within 1e-4 (relative to the largest value
/// compared) on the same inputs. Runs only where a GPU, cuBLAS and NVRTC are present; the same
/// checks run on a GPU machine without the SDK as <c>challenge-worker check</c>.
/// </summary>
public sealed class CudaAgreementTests : IDisposable
{
    private readonly CpuBackend _cpu = new();
    private readonly Lazy<CudaBackend> _cuda = new(() =>
        CudaBackend.TryCreate(BackendFactory.CudaDriverLibrary, out var backend, out var reason)
            ? backend!
            : throw new InvalidOperationException(reason));

    public static TheoryData<string> Checks => [.. BackendAgreement.Checks.Select(c => c.Name)];

    public void Dispose()
    {
        if (_cuda.IsValueCreated)
        {
            _cuda.Value.Dispose();
        }
    }

    [CudaTheory]
    [MemberData(nameof(Checks))]
    public void Cuda_agrees_with_the_cpu(string check)
    {
        var outcome = BackendAgreement.Compare(BackendAgreement.Checks.Single(c => c.Name == check), _cpu, _cuda.Value);
        Assert.True(outcome.Problem is null, outcome.Problem);
    }

    // The embedded worker trains on fewer threads than the machine has: reductions run in a fixed
    // order, so the result is the same to the bit, and the comparison itself is exercised where
    // no GPU is.
    [Theory]
    [MemberData(nameof(Checks))]
    public void A_cpu_backend_limited_to_one_thread_gives_the_same_numbers(string check)
    {
        var outcome = BackendAgreement.Compare(BackendAgreement.Checks.Single(c => c.Name == check), _cpu, new CpuBackend(maxThreads: 1));
        Assert.True(outcome.Problem is null, outcome.Problem);
        Assert.Equal(0, outcome.WorstError);
    }
}
