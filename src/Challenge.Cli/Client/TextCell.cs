using System.Globalization;
using System.Text;

namespace Challenge.Cli.Client;

/// <summary>Formatting of what the server sends for a terminal.</summary>
internal static class TextCell
{
    // Team names, descriptions and error messages come from other people: a control character in
    // them could move the cursor or recolour the terminal, so each is shown as '?'.
    public static string Clean(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            builder.Append(char.IsControl(c) ? '?' : c);
        }
        return builder.ToString();
    }

    public static string Score(double? score) =>
        score is double value && !double.IsNaN(value) ? value.ToString("0.000000", CultureInfo.InvariantCulture) : "-";

    // The server stores UTC times without a zone designator.
    public static string Time(DateTime time) =>
        DateTime.SpecifyKind(time, time.Kind == DateTimeKind.Local ? DateTimeKind.Local : DateTimeKind.Utc).ToUniversalTime()
            .ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Bytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? $"{bytes} B" : value.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[unit];
    }
}

/// <summary>A plain-text table whose columns are as wide as their widest cell.</summary>
internal sealed class TextTable(params string[] headers)
{
    private readonly string[] _headers = headers;
    private readonly List<string[]> _rows = [];
    private readonly HashSet<int> _rightAligned = [];

    public TextTable AlignRight(params int[] columns)
    {
        _rightAligned.UnionWith(columns);
        return this;
    }

    public void Add(params string[] cells) => _rows.Add(cells.Select(TextCell.Clean).ToArray());

    public void WriteTo(TextWriter output)
    {
        var widths = _headers.Select((header, i) => _rows.Select(row => row[i].Length).Append(header.Length).Max()).ToArray();
        WriteRow(output, _headers, widths);
        output.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))).TrimEnd());
        foreach (var row in _rows)
        {
            WriteRow(output, row, widths);
        }
    }

    private void WriteRow(TextWriter output, string[] cells, int[] widths) =>
        output.WriteLine(string.Join("  ", cells.Select((cell, i) => _rightAligned.Contains(i) ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i]))).TrimEnd());
}
