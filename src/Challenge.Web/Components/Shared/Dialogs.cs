using MudBlazor;

namespace Challenge.Web.Components.Shared;

/// <summary>The confirmations every destructive action asks for before it runs.</summary>
public static class Dialogs
{
    public static async Task<bool> ConfirmAsync(this IDialogService dialogs, string title, string message, string yes) =>
        await dialogs.ShowMessageBoxAsync(title, message, yesText: yes, cancelText: "Cancel") == true;

    /// <summary>Asks for a reason (recorded in the audit log and shown to whoever the action touches); null when cancelled.</summary>
    public static async Task<string?> AskReasonAsync(this IDialogService dialogs, string title, string message, string yes)
    {
        var parameters = new DialogParameters<ReasonDialog>
        {
            { d => d.Message, message },
            { d => d.YesText, yes },
        };
        var reference = await dialogs.ShowAsync<ReasonDialog>(title, parameters, new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true });
        var result = await reference.Result;
        return result is { Canceled: false, Data: string reason } ? reason : null;
    }
}
