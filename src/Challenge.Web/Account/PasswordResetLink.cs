using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Challenge.Web.Account;

// Identity's reset tokens hold '+', '/' and '=' characters that mail clients and chat tools
// mangle in a URL, so the token travels base64url-encoded, as Identity's own pages send it.
public static class PasswordResetLink
{
    public const string Path = "/account/reset-password";

    public static string Build(string baseUri, string userId, string token) =>
        $"{baseUri.TrimEnd('/')}{Path}?user={Uri.EscapeDataString(userId)}&token={WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token))}";

    /// <summary>The token a link carries; null when the text is not one (cut short while copying, say).</summary>
    public static string? DecodeToken(string? encoded)
    {
        if (string.IsNullOrWhiteSpace(encoded))
        {
            return null;
        }
        try
        {
            return Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(encoded.Trim()));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
