using System.Globalization;

namespace Challenge.Core.Files;

// Names that people type end up in pages, exports and Content-Disposition headers, where a line
// break would inject a header and a direction override (U+202E) would make "exe.csv" read as
// "vsc.exe": such characters are never kept.
public static class FileNames
{
    public static bool IsInvisible(char c) => char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format;

    public static bool HasInvisible(string text) => text.Any(IsInvisible);

    public static string WithoutInvisible(string text) => HasInvisible(text) ? new string(text.Where(c => !IsInvisible(c)).ToArray()) : text;
}
