using Challenge.Ml.Backends;

namespace Challenge.Worker.Commands;

/// <summary>
/// Runs the CPU/CUDA agreement checks of <see cref="BackendAgreement"/> on this machine, so a GPU
/// machine can be verified with the self-contained worker alone (no .NET SDK, no test runner).
/// </summary>
public static class CheckCommand
{
    public const string Usage = """
        usage: challenge-worker check
          compiles the CUDA kernels, runs the same computations on the CPU and on CUDA and
          prints how far apart they are; exit code 0 when every check agrees within 1e-4,
          1 when one does not or CUDA is unusable here.
        """;

    public static int Run(TextWriter output, TextWriter error)
    {
        IBackend cuda;
        try
        {
            cuda = BackendFactory.Create(DevicePreference.Cuda, output.WriteLine);
        }
        catch (InvalidOperationException exception)
        {
            error.WriteLine($"error: {exception.Message}");
            return 1;
        }

        using (cuda)
        {
            using var cpu = new CpuBackend();
            var failed = 0;
            foreach (var check in BackendAgreement.Checks)
            {
                var outcome = BackendAgreement.Compare(check, cpu, cuda);
                output.WriteLine($"{(outcome.Problem is null ? "ok  " : "FAIL")} {check.Name}: worst relative difference {outcome.WorstError:0.###e+0}" +
                    (outcome.Problem is null ? string.Empty : $" ({outcome.Problem})"));
                failed += outcome.Problem is null ? 0 : 1;
            }

            output.WriteLine($"{BackendAgreement.Checks.Count - failed} of {BackendAgreement.Checks.Count} checks agree within {BackendAgreement.Tolerance:0e+0} on {cuda.Name}");
            return failed == 0 ? 0 : 1;
        }
    }
}
