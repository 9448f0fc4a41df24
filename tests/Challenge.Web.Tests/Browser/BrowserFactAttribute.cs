namespace Challenge.Web.Tests.Browser;

// Browser tests need Debian's Chromium. On a developer machine without it they skip and say how to
// get it; in CI (CI=true) they run regardless, so a missing browser fails the build.
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (!File.Exists(BrowserSession.ChromiumPath) && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Skip = $"Chromium was not found at {BrowserSession.ChromiumPath}. Install it with 'sudo apt-get install chromium' to run the browser tests.";
        }
    }
}
