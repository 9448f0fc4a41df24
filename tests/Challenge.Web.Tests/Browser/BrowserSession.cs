using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Challenge.Web.Tests.Browser;

// The real app on a loopback port, driven by a real headless Chromium.
public sealed class BrowserSession : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;
    private readonly ITestOutputHelper? _output;
    private int _pages;

    private BrowserSession(ChallengeWebFactory factory, IPlaywright playwright, IBrowser browser, string baseUrl, ITestOutputHelper? output)
    {
        Factory = factory;
        _playwright = playwright;
        Browser = browser;
        BaseUrl = baseUrl;
        _output = output;
    }

    public ChallengeWebFactory Factory { get; }
    public IBrowser Browser { get; }
    public string BaseUrl { get; }

    // The output, when given, receives the server's warnings and each page's navigations, socket
    // closes, failed requests and script errors; xUnit shows it when the test fails.
    public static async Task<BrowserSession> StartAsync(ITestOutputHelper? output = null)
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"Chromium is required at {ChromiumPath} (CI=true): install it with 'apt-get install chromium'.");
        }

        var factory = new ChallengeWebFactory(seedDemo: true);
        factory.UseKestrel(0);
        factory.StartServer();
        return await AttachAsync(factory, output);
    }

    // A browser for a factory already listening on a loopback port (UseKestrel, StartServer).
    public static async Task<BrowserSession> AttachAsync(ChallengeWebFactory factory, ITestOutputHelper? output = null)
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
        return new BrowserSession(factory, playwright, browser, baseUrl, output);
    }

    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseUrl });
        context.SetDefaultTimeout(60_000);
        Microsoft.Playwright.Assertions.SetDefaultExpectTimeout(15_000);
        // Every blocked load, script or style is reported by the page itself, so that a policy too
        // strict for some page fails the test that visits it.
        await context.AddInitScriptAsync("""
            document.addEventListener('securitypolicyviolation', e =>
                console.error(`${PolicyViolationMarker} ${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile || document.location.href}:${e.lineNumber}`));
            """.Replace("${PolicyViolationMarker}", PolicyViolationMarker, StringComparison.Ordinal));
        var page = await context.NewPageAsync();
        Watch(page, $"page {Interlocked.Increment(ref _pages)}");
        return page;
    }

    private const string PolicyViolationMarker = "Content Security Policy violation:";

    // What the site's Content-Security-Policy blocked in any page of this session.
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _policyViolations = new();

    // For a test that provokes a violation on purpose: the ones so far, which then no longer count.
    public IReadOnlyList<string> TakePolicyViolations()
    {
        var taken = new List<string>();
        while (_policyViolations.TryDequeue(out var violation))
        {
            taken.Add(violation);
        }
        return taken;
    }

    private void Watch(IPage page, string name)
    {
        var log = Factory.ServerLog;
        page.FrameNavigated += (_, frame) =>
        {
            if (frame == page.MainFrame)
            {
                log.Add(name, $"at {frame.Url}");
            }
        };
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                log.Add(name, $"console {message.Type}: {message.Text}");
            }
            // The browser's own report ("Refused to load … because it violates the following Content
            // Security Policy directive") and the page's listener's.
            if (message.Text.Contains(PolicyViolationMarker, StringComparison.Ordinal)
                || message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                _policyViolations.Enqueue($"{name}: {message.Text}");
            }
        };
        page.PageError += (_, error) => log.Add(name, $"script error: {error}");
        page.Request += (_, request) =>
        {
            if (request.IsNavigationRequest && request.Frame == page.MainFrame)
            {
                log.Add(name, $"document request {request.Method} {request.Url}");
            }
        };
        page.DOMContentLoaded += (_, _) => log.Add(name, "DOMContentLoaded");
        page.Load += (_, _) => log.Add(name, "load");
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                log.Add(name, $"{response.Status} for {response.Request.Method} {response.Url}");
            }
        };
        page.RequestFailed += (_, request) => log.Add(name, $"request failed: {request.Method} {request.Url} ({request.Failure})");
        page.WebSocket += (_, socket) =>
        {
            log.Add(name, $"socket open {socket.Url}");
            socket.Close += (_, _) => log.Add(name, $"socket closed {socket.Url}");
            socket.SocketError += (_, error) => log.Add(name, $"socket error {socket.Url}: {error}");
        };
    }

    // Typing before the circuit connects would be lost when the interactive render replaces the
    // prerendered page.
    public static Task WaitForInteractivityAsync(IPage page) =>
        page.Locator("[data-interactive=true]").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });

    // A navigation that does not come usually means the page showed an error: say which. The
    // address is polled by the browser side (an expectation) rather than awaited as a navigation
    // event: Blazor moves between pages with pushState, and the client library's WaitForURL can
    // miss an event that lands while it subscribes and then wait out its whole timeout.
    public static async Task WaitForPathOrExplainAsync(IPage page, string path)
    {
        try
        {
            await Microsoft.Playwright.Assertions.Expect(page).ToHaveURLAsync(
                new Regex("^https?://[^/]+" + Regex.Escape(path) + "$"), new PageAssertionsToHaveURLOptions { Timeout = 60_000 });
        }
        catch (PlaywrightException)
        {
            // The error bar is always in the page, hidden until Blazor shows it: only visible messages count.
            var errors = await page.Locator(".form-error:visible, .field-error:visible, #blazor-error-ui:visible").AllInnerTextsAsync();
            var connected = await page.Locator("[data-interactive=true]").CountAsync();
            throw new TimeoutException($"Still on {page.Url} instead of {path}; interactive: {connected > 0}; messages shown: [{string.Join(" | ", errors.Where(e => e.Length > 0))}]");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_output is not null)
        {
            _output.WriteLine("Server warnings and browser events, in order:");
            foreach (var line in Factory.ServerLog.Lines)
            {
                _output.WriteLine(line);
            }
        }
        await Browser.DisposeAsync();
        _playwright.Dispose();
        await Factory.DisposeAsync();
        // Checked last, so the session is torn down whatever happens, in every browser test.
        Assert.True(_policyViolations.IsEmpty, "The Content-Security-Policy blocked something:\n" + string.Join("\n", _policyViolations));
    }
}
