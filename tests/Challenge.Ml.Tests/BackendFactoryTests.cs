using Challenge.Ml.Backends;

namespace Challenge.Ml.Tests;

public class BackendFactoryTests
{
    private const string MissingDriver = "libcuda-that-does-not-exist.so.1";

    [Fact]
    public void Auto_falls_back_to_the_cpu_and_says_why_when_the_driver_cannot_be_loaded()
    {
        var log = new List<string>();
        using var backend = BackendFactory.Create(DevicePreference.Auto, log.Add, MissingDriver);

        Assert.Equal(DeviceKind.Cpu, backend.Kind);
        var line = Assert.Single(log);
        Assert.Contains(MissingDriver, line);
        Assert.Contains("cpu", line);
    }

    [Fact]
    public void Explicit_cuda_without_a_driver_is_an_error()
    {
        var error = Assert.Throws<InvalidOperationException>(() => BackendFactory.Create(DevicePreference.Cuda, null, MissingDriver));
        Assert.Contains(MissingDriver, error.Message);
    }

    [Fact]
    public void Cpu_preference_never_probes_and_never_logs()
    {
        var log = new List<string>();
        using var backend = BackendFactory.Create(DevicePreference.Cpu, log.Add, MissingDriver);
        Assert.Equal(DeviceKind.Cpu, backend.Kind);
        Assert.Empty(log);
    }

    [Theory]
    [InlineData("auto", DevicePreference.Auto)]
    [InlineData("CPU", DevicePreference.Cpu)]
    [InlineData("cuda", DevicePreference.Cuda)]
    public void Parses_device_names(string text, DevicePreference expected) =>
        Assert.Equal(expected, BackendFactory.ParsePreference(text));

    [Fact]
    public void Rejects_unknown_device_names() =>
        Assert.Throws<ArgumentException>(() => BackendFactory.ParsePreference("tpu"));
}
