using System.Text;
using Challenge.Scoring.Validation;

namespace Challenge.Scoring.Csv;

/// <summary>
/// The checks every CSV file gets before its rows mean anything: size, binary content, header,
/// blank lines, bytes that are not UTF-8, malformed quoting and the number of columns per row.
/// Rows that pass are handed to the caller; the others become errors.
/// </summary>
internal sealed class CsvTable : IDisposable
{
    private const int SniffBytes = 4096;
    private readonly ErrorCollector _errors;
    private readonly long _maxFileBytes;
    private readonly Stream _stream;
    // Blank lines are only an error when a non-blank line follows; they are consecutive, so
    // the first one and a count describe them, even for a file of nothing but newlines.
    private int _firstPendingBlankLine;
    private int _pendingBlankLines;
    private string[] _header = [];
    private string _columnList = "";

    public CsvTable(Stream stream, long maxFileBytes, ErrorCollector errors)
    {
        Reader = new Utf8CsvReader(stream, maxFileBytes);
        _errors = errors;
        _maxFileBytes = maxFileBytes;
        _stream = stream;
    }

    public Utf8CsvReader Reader { get; }

    public void Dispose() => Reader.Dispose();

    public int Line => Reader.Line;

    public int DataRows { get; private set; }

    /// <summary>Called for a row that was reported as malformed, so the caller can still note its Id.</summary>
    public Action? RowRejected { get; set; }

    public ReadOnlySpan<byte> Field(int index) => Reader.Field(index);

    /// <summary>Reads and decodes the header; null when the file cannot be read as CSV at all (errors are recorded).</summary>
    public string[]? ReadHeader()
    {
        if (KnownLength() is long length && length > _maxFileBytes)
        {
            _errors.Add(null, null, Utf8CsvReader.SizeLimitMessage(_maxFileBytes));
            return null;
        }

        var head = Reader.Peek(SniffBytes);
        if (Reader.FatalProblem is null && LooksBinary(head) is (int binaryLine, string binaryProblem))
        {
            _errors.Add(binaryLine, null, binaryProblem);
            return null;
        }

        var status = Reader.Read();
        while (status == CsvReadStatus.Record && Reader.IsBlank)
        {
            NoteBlankLine();
            status = Reader.Read();
        }
        if (status == CsvReadStatus.Fatal)
        {
            AddFatal();
            return null;
        }
        if (status == CsvReadStatus.EndOfFile)
        {
            _errors.Add(1, null, "The file is empty: expected a header line and one line per Id.");
            return null;
        }
        ReportPendingBlankLines("The line is empty; the header must be on the first line.");
        if (Reader.RecordProblem is string problem)
        {
            _errors.Add(Reader.Line, null, "Header: " + problem);
            return null;
        }
        if (Reader.HasInvalidUtf8)
        {
            _errors.Add(Reader.Line, null, "The header is not UTF-8 text. Save the file as UTF-8 CSV.");
            return null;
        }

        _header = new string[Reader.FieldCount];
        for (int i = 0; i < _header.Length; i++)
        {
            _header[i] = Encoding.UTF8.GetString(Reader.Field(i)).Trim();
        }
        const int namesShown = 10;
        _columnList = string.Join(",", _header.Take(namesShown)) + (_header.Length > namesShown ? ",..." : "");
        return _header;
    }

    /// <summary>Advances to the next row with the header's column count; false at the end of the file or when reading had to stop.</summary>
    public bool NextRow()
    {
        while (true)
        {
            var status = Reader.Read();
            if (status == CsvReadStatus.EndOfFile)
            {
                // Blank lines at the very end are the usual trailing newline(s): allowed.
                return false;
            }
            if (status == CsvReadStatus.Fatal)
            {
                AddFatal();
                return false;
            }
            if (Reader.IsBlank)
            {
                NoteBlankLine();
                continue;
            }
            ReportPendingBlankLines("The line is empty; every line after the header must hold one prediction.");

            DataRows++;
            if (Reader.RecordProblem is string problem)
            {
                _errors.Add(Reader.Line, null, "Malformed CSV: " + problem);
                continue;
            }
            if (Reader.HasInvalidUtf8)
            {
                _errors.Add(Reader.Line, null, "The line contains bytes that are not UTF-8 text (binary data, or a file saved in another encoding).");
                RowRejected?.Invoke();
                continue;
            }
            if (Reader.FieldCount != _header.Length)
            {
                _errors.Add(Reader.Line, null, $"Expected {_header.Length} columns ({_columnList}) but found {Reader.FieldCount}.");
                RowRejected?.Invoke();
                continue;
            }
            if (InvisibleProblem() is (int column, string invisible))
            {
                _errors.Add(Reader.Line, column, invisible);
                RowRejected?.Invoke();
                continue;
            }
            return true;
        }
    }

    private void NoteBlankLine()
    {
        if (_pendingBlankLines++ == 0)
        {
            _firstPendingBlankLine = Reader.Line;
        }
    }

    private void ReportPendingBlankLines(string message)
    {
        _errors.AddForLines(_firstPendingBlankLine, _pendingBlankLines, message);
        _pendingBlankLines = 0;
    }

    public string Text(int index) => Encoding.UTF8.GetString(Reader.Field(index));

    /// <summary>Field text cut to a readable length, for error messages.</summary>
    public string Quote(int index)
    {
        string text = Text(index);
        return text.Length > 60 ? $"'{text[..57]}...'" : $"'{text}'";
    }

    private void AddFatal() => _errors.Add(Reader.FatalLine, null, Reader.FatalProblem ?? "The file could not be read.");

    private long? KnownLength()
    {
        try
        {
            return _stream.CanSeek ? _stream.Length - _stream.Position : null;
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }

    // Characters that would otherwise reach the messages invisibly ("Id '14' is not in the
    // solution" for an Id that is really U+FEFF followed by 14).
    private (int Column, string Message)? InvisibleProblem()
    {
        for (var i = 0; i < Reader.FieldCount; i++)
        {
            var field = Reader.Field(i);
            if (field.Contains((byte)0))
            {
                return (i + 1, "The field holds a NUL byte (binary data), not text.");
            }
            if (field.IndexOf("\uFEFF"u8) >= 0)
            {
                return (i + 1, "The field holds a byte-order mark (U+FEFF), an invisible character editors write at the start of a file: were two files joined? Remove it.");
            }
        }
        return null;
    }

    private static (int Line, string Message)? LooksBinary(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith("PK\u0003\u0004"u8))
        {
            return (1, "This is a ZIP archive, not a CSV file. Unzip it and upload the CSV inside.");
        }
        if (head.Length >= 2 && head[0] == 0x1F && head[1] == 0x8B)
        {
            return (1, "This is a gzip-compressed file, not a CSV file. Decompress it and upload the CSV.");
        }
        // The UTF-32 little-endian mark begins with the UTF-16 one (FF FE), so it is told apart first.
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE, 0x00, 0x00]) || head.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0xFE, 0xFF]))
        {
            return (1, "The file is UTF-32 text. Save it as UTF-8 CSV.");
        }
        if (head.Length >= 2 && ((head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF)))
        {
            return (1, "The file is UTF-16 text. Save it as UTF-8 CSV.");
        }
        if (LooksLikeBomlessUtf16(head))
        {
            return (1, "The file looks like UTF-16 text (without a byte-order mark). Save it as UTF-8 CSV.");
        }
        var nul = head.IndexOf((byte)0);
        if (nul >= 0)
        {
            return (1 + head[..nul].Count((byte)'\n'), "The line contains binary data (NUL bytes), not CSV text.");
        }
        return null;
    }

    // ASCII text saved as UTF-16 has a zero in every other byte, in the odd (little-endian) or
    // the even (big-endian) positions.
    private static bool LooksLikeBomlessUtf16(ReadOnlySpan<byte> head)
    {
        var pairs = Math.Min(head.Length / 2, 64);
        if (pairs < 4)
        {
            return false;
        }
        int zeroOdd = 0, zeroEven = 0;
        for (var i = 0; i < pairs; i++)
        {
            zeroEven += head[2 * i] == 0 ? 1 : 0;
            zeroOdd += head[2 * i + 1] == 0 ? 1 : 0;
        }
        return (zeroOdd == pairs && zeroEven == 0) || (zeroEven == pairs && zeroOdd == 0);
    }
}
