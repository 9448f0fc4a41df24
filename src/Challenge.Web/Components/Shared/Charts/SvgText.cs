using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;

namespace Challenge.Web.Components.Shared.Charts;

/// <summary>An SVG &lt;text&gt; element: Razor reserves the tag name &lt;text&gt; for itself, so it is built here.</summary>
public sealed class SvgText : ComponentBase
{
    [Parameter] public string Value { get; set; } = "";
    [Parameter(CaptureUnmatchedValues = true)] public IReadOnlyDictionary<string, object>? Attributes { get; set; }

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        builder.OpenElement(0, "text");
        builder.AddMultipleAttributes(1, Attributes);
        builder.AddContent(2, Value);
        builder.CloseElement();
    }
}
