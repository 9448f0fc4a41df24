using Challenge.Core.Markdown;

namespace Challenge.Core.Tests;

public sealed class MarkdownRendererTests
{
    private readonly MarkdownRenderer _renderer = new();

    [Fact]
    public void Renders_tables_and_headings()
    {
        var html = _renderer.ToSafeHtml("## Data\n\n| a | b |\n|---|---|\n| 1 | 2 |");

        Assert.Contains("<h2", html);
        Assert.Contains("<table>", html);
    }

    [Fact]
    public void Raw_html_is_escaped()
    {
        var html = _renderer.ToSafeHtml("Hello <script>alert('x')</script> <img src=x onerror=alert(1)>");

        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("<img", html);
        Assert.Contains("&lt;script&gt;", html);
    }

    [Theory]
    [InlineData("[click](javascript:alert(1))")]
    [InlineData("[click]( JaVaScRiPt:alert(1))")]
    [InlineData("[click](data:text/html;base64,PHNjcmlwdD4=)")]
    [InlineData("![x](vbscript:msgbox)")]
    public void Dangerous_link_schemes_are_neutralised(string markdown)
    {
        var html = _renderer.ToSafeHtml(markdown);

        Assert.DoesNotContain("script:", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("data:", html, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("[site](https://example.org/a?b=c)", "https://example.org/a?b=c")]
    [InlineData("[rules](/challenges/demo)", "/challenges/demo")]
    [InlineData("[mail](mailto:team@example.org)", "mailto:team@example.org")]
    public void Ordinary_links_survive(string markdown, string href)
    {
        Assert.Contains($"href=\"{href}\"", _renderer.ToSafeHtml(markdown));
    }
}
