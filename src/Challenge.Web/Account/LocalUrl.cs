namespace Challenge.Web.Account;

internal static class LocalUrl
{
    // Only same-site paths are followed after sign-in, so a crafted returnUrl cannot send a
    // freshly signed-in user to another site.
    public static string OrHome(string? url) =>
        !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//") && !url.StartsWith("/\\")
            ? url
            : "/";
}
