namespace Challenge.Core.Demo;

public sealed class DemoOptions
{
    public const string Section = "Demo";

    // Seeds the demo challenge into an empty database.
    public bool Seed { get; set; } = true;
}
