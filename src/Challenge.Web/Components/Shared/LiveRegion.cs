using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;

namespace Challenge.Web.Components.Shared;

/// <summary>
/// A part of a page that redraws on its own: <see cref="Refresh"/> re-renders only this content,
/// not the page around it (a page's own StateHasChanged also redraws its layout shell and every
/// child whose parameters it passes again). Live pages put what a push changes inside one.
/// </summary>
public sealed class LiveRegion : ComponentBase
{
    [Parameter] public RenderFragment? ChildContent { get; set; }

    /// <summary>Call on the renderer's dispatcher (inside InvokeAsync).</summary>
    public void Refresh() => StateHasChanged();

    protected override void BuildRenderTree(RenderTreeBuilder builder) => builder.AddContent(0, ChildContent);
}
