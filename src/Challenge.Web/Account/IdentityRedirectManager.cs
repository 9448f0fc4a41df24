using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Components;

namespace Challenge.Web.Account;

// Account pages render statically (they set cookies), where a redirect is a navigation exception
// that the framework turns into a 302.
internal sealed class IdentityRedirectManager(NavigationManager navigation)
{
    [DoesNotReturn]
    public void RedirectTo(string? uri)
    {
        navigation.NavigateTo(LocalUrl.OrHome(uri));
        throw new InvalidOperationException($"{nameof(IdentityRedirectManager)} can only be used during static rendering.");
    }
}
