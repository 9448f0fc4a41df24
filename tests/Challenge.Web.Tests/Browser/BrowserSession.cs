using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Challenge.Web.Tests.Browser;

// The real app on a loopback port, driven by a real headless Chromium.
public sealed class BrowserSession : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;

    private BrowserSession(ChallengeWebFactory factory, IPlaywright playwright, IBrowser browser, string baseUrl)
    {
        Factory = factory;
        _playwright = playwright;
        Browser = browser;
        BaseUrl = baseUrl;
    }

    public ChallengeWebFactory Factory { get; }
    public IBrowser Browser { get; }
    public string BaseUrl { get; }

    public static async Task<BrowserSession> StartAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"Chromium is required at {ChromiumPath} (CI=true): install it with 'apt-get install chromium'.");
        }

        var factory = new ChallengeWebFactory(seedDemo: true);
        factory.UseKestrel(0);
        factory.StartServer();
        return await AttachAsync(factory);
    }

    // A browser for a factory already listening on a loopback port (UseKestrel, StartServer).
    public static async Task<BrowserSession> AttachAsync(ChallengeWebFactory factory)
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"Chromium is required at {ChromiumPath} (CI=true): install it with 'apt-get install chromium'.");
        }

        var baseUrl = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First().Replace("[::]", "127.0.0.1").Replace("0.0.0.0", "127.0.0.1");

        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        return new BrowserSession(factory, playwright, browser, baseUrl);
    }

    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseUrl });
        context.SetDefaultTimeout(60_000);
        Microsoft.Playwright.Assertions.SetDefaultExpectTimeout(15_000);
        return await context.NewPageAsync();
    }

    // Typing before the circuit connects would be lost when the interactive render replaces the
    // prerendered page.
    public static Task WaitForInteractivityAsync(IPage page) =>
        page.Locator("[data-interactive=true]").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });

    // A navigation that does not come usually means the page showed an error: say which.
    public static async Task WaitForUrlOrExplainAsync(IPage page, string pattern)
    {
        try
        {
            await page.WaitForURLAsync(pattern);
        }
        catch (TimeoutException)
        {
            var errors = await page.Locator(".form-error, .field-error, #blazor-error-ui").AllInnerTextsAsync();
            var connected = await page.Locator("[data-interactive=true]").CountAsync();
            throw new TimeoutException($"Still on {page.Url} instead of {pattern}; interactive: {connected > 0}; messages shown: [{string.Join(" | ", errors.Where(e => e.Length > 0))}]");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
        await Factory.DisposeAsync();
    }
}
