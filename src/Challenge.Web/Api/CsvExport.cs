using System.Globalization;
using System.Text;

namespace Challenge.Web.Api;

// Exports are opened in spreadsheets, where a cell starting with = + - @ (or a tab or carriage
// return) runs as a formula: such cells get a leading apostrophe.
internal static class CsvExport
{
    public static string Cell(string? value)
    {
        var text = value ?? "";
        if (text.Length > 0 && "=+-@\t\r".Contains(text[0]))
        {
            text = "'" + text;
        }
        return text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + text.Replace("\"", "\"\"") + "\"" : text;
    }

    // Numbers and dates are written as they are (a negative score is no formula); text is escaped.
    public static string Line(params object?[] values) => string.Join(',', values.Select(value => value switch
    {
        null => "",
        double number => number.ToString("R", CultureInfo.InvariantCulture),
        int number => number.ToString(CultureInfo.InvariantCulture),
        long number => number.ToString(CultureInfo.InvariantCulture),
        bool flag => flag ? "true" : "false",
        DateTime time => time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        _ => Cell(value.ToString()),
    })) + "\n";

    public static IResult File(StringBuilder csv, string fileName) =>
        Results.File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv; charset=utf-8", fileName);
}
