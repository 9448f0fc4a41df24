using Bunit;
using Challenge.Web.Components.Shared;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace Challenge.Web.Tests.Components;

// MudBlazor's services dispose only asynchronously, so each test owns its context in an await using.
public sealed class DialogTests
{
    private static BunitContext NewContext()
    {
        var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        return context;
    }

    [Fact]
    public async Task A_reason_is_required_before_the_action_runs()
    {
        await using var context = NewContext();
        var provider = context.Render<MudDialogProvider>();
        var dialogs = context.Services.GetRequiredService<IDialogService>();
        Task<string?> asked = Task.FromResult<string?>(null);
        await provider.InvokeAsync(() => { asked = dialogs.AskReasonAsync("Disqualify a team", "'Abyssal' leaves both leaderboards.", "Disqualify"); });

        await provider.WaitForAssertionAsync(() => Assert.Contains("leaves both leaderboards", provider.Markup));
        await provider.Find("[data-testid=reason-confirm]").ClickAsync(new());
        Assert.False(asked.IsCompleted);
        Assert.Contains("Give a reason.", provider.Markup);

        await provider.Find(".mud-dialog textarea").ChangeAsync(new() { Value = "  Shared an account with another team  " });
        await provider.Find("[data-testid=reason-confirm]").ClickAsync(new());

        Assert.Equal("Shared an account with another team", await asked.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Cancelling_gives_no_reason()
    {
        await using var context = NewContext();
        var provider = context.Render<MudDialogProvider>();
        var dialogs = context.Services.GetRequiredService<IDialogService>();
        Task<string?> asked = Task.FromResult<string?>(null);
        await provider.InvokeAsync(() => { asked = dialogs.AskReasonAsync("Disqualify a team", "'Abyssal' leaves both leaderboards.", "Disqualify"); });

        await provider.WaitForAssertionAsync(() => Assert.Contains("leaves both leaderboards", provider.Markup));
        await provider.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel").ClickAsync(new());

        Assert.Null(await asked.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
