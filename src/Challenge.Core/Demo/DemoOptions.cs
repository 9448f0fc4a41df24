namespace Challenge.Core.Demo;

public sealed class DemoOptions
{
    public const string Section = "Demo";

    // Seeds the demo challenges into an empty database.
    public bool Seed { get; set; } = true;

    // Shrinks every generated size (images, rows, teams' files) by this factor, so tests seed in
    // seconds; 1 is the full demo. Sizes never drop below what each case needs to make sense.
    public double Scale { get; set; } = 1;
}
