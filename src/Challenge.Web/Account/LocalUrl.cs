using System.Text;

namespace Challenge.Web.Account;

internal static class LocalUrl
{
    // Only same-site paths are followed after sign-in or sign-out, so a crafted returnUrl cannot send
    // a user to another site. Browsers drop tabs and line breaks from a Location before following it
    // ("/\t/evil.example" becomes "//evil.example"), so any control character sends the user home; a
    // non-ASCII character cannot go into a response header as it is, so it is percent-encoded as
    // UTF-8, as the browser would have sent it.
    public static string OrHome(string? url)
    {
        if (string.IsNullOrEmpty(url) || url.Length > MaxLength || !url.StartsWith('/') || url.StartsWith("//") || url.StartsWith("/\\"))
        {
            return "/";
        }
        StringBuilder? encoded = null;
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < url.Length; i++)
        {
            var c = url[i];
            if (char.IsControl(c) || c == '\\')
            {
                return "/";
            }
            if (c is > ' ' and < (char)0x7F)
            {
                encoded?.Append(c);
                continue;
            }
            encoded ??= new StringBuilder(url, 0, i, url.Length + 16);
            if (!Rune.TryGetRuneAt(url, i, out var rune) || Rune.GetUnicodeCategory(rune) is System.Globalization.UnicodeCategory.Format)
            {
                // A lone surrogate has no UTF-8 form; a direction or zero-width mark only disguises a link.
                return "/";
            }
            var length = rune.EncodeToUtf8(utf8);
            foreach (var b in utf8[..length])
            {
                encoded.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            i += rune.Utf16SequenceLength - 1;
        }
        return encoded?.ToString() ?? url;
    }

    // Far above any page address of the site; a longer one is someone testing the header limits.
    private const int MaxLength = 2048;
}
