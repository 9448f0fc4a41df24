using System.Buffers.Text;
using System.Text;

namespace Challenge.Scoring.Csv;

/// <summary>
/// Maps Id text to a solution row. Ids are compared as exact text, but when every Id is a plain
/// non-negative integer without leading zeros (the usual "index in the test set"), they are kept
/// in a dense array instead of a hash table: less memory and a lookup that is one parse and one
/// array read. The first Id that does not fit switches the index to byte-string keys.
/// </summary>
internal sealed class IdIndex
{
    private const int MaxIntegerDigits = 9;
    private const int DenseSlack = 1 << 20;

    private int[]? _rowPlusOneByNumber = new int[1024];
    private int[] _numberByRow = new int[1024];
    private ByteKeyTable? _table;
    private int _largestNumber = -1;

    public int Count { get; private set; }

    /// <summary>Adds an Id as the next row; returns the row, or <c>~row</c> of the earlier row with the same Id.</summary>
    public int Add(ReadOnlySpan<byte> id)
    {
        if (_rowPlusOneByNumber is not null)
        {
            if (TryParseCanonical(id, out int number) && number < 2 * (long)Count + DenseSlack)
            {
                EnsureNumberCapacity(number);
                int existing = _rowPlusOneByNumber[number] - 1;
                if (existing >= 0)
                {
                    return ~existing;
                }
                _rowPlusOneByNumber[number] = Count + 1;
                if (Count == _numberByRow.Length)
                {
                    Array.Resize(ref _numberByRow, Count * 2);
                }
                _numberByRow[Count] = number;
                _largestNumber = Math.Max(_largestNumber, number);
                return Count++;
            }
            SwitchToTable();
        }

        int row = _table!.Add(id);
        if (row >= 0)
        {
            Count++;
        }
        return row;
    }

    /// <summary>The row of an Id, or -1.</summary>
    public int Find(ReadOnlySpan<byte> id)
    {
        if (_rowPlusOneByNumber is { } rows)
        {
            return TryParseCanonical(id, out int number) && number < rows.Length ? rows[number] - 1 : -1;
        }
        return _table!.Find(id);
    }

    /// <summary>The UTF-8 text of a row's Id; integer Ids are formatted into <paramref name="scratch"/> (at least 16 bytes).</summary>
    public ReadOnlySpan<byte> GetIdBytes(int row, Span<byte> scratch)
    {
        if (_rowPlusOneByNumber is not null)
        {
            Utf8Formatter.TryFormat(_numberByRow[row], scratch, out int written);
            return scratch[..written];
        }
        return _table!.GetKey(row);
    }

    public string GetId(int row)
    {
        if (_rowPlusOneByNumber is not null)
        {
            return _numberByRow[row].ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return Encoding.UTF8.GetString(_table!.GetKey(row));
    }

    /// <summary>Releases growth slack once the solution is fully read.</summary>
    public void Seal()
    {
        if (_rowPlusOneByNumber is not null)
        {
            Array.Resize(ref _numberByRow, Count);
            Array.Resize(ref _rowPlusOneByNumber, _largestNumber + 1);
        }
    }

    private void EnsureNumberCapacity(int number)
    {
        if (number >= _rowPlusOneByNumber!.Length)
        {
            int size = _rowPlusOneByNumber.Length;
            while (size <= number)
            {
                size *= 2;
            }
            Array.Resize(ref _rowPlusOneByNumber, size);
        }
    }

    private void SwitchToTable()
    {
        _table = new ByteKeyTable(Math.Max(16, Count * 2));
        Span<byte> digits = stackalloc byte[16];
        for (int row = 0; row < Count; row++)
        {
            Utf8Formatter.TryFormat(_numberByRow[row], digits, out int written);
            _table.Add(digits[..written]);
        }
        _rowPlusOneByNumber = null;
        _numberByRow = [];
    }

    private static bool TryParseCanonical(ReadOnlySpan<byte> text, out int number)
    {
        number = 0;
        if (text.IsEmpty || text.Length > MaxIntegerDigits || (text[0] == (byte)'0' && text.Length > 1))
        {
            return false;
        }
        foreach (byte b in text)
        {
            uint digit = (uint)(b - '0');
            if (digit > 9)
            {
                return false;
            }
            number = number * 10 + (int)digit;
        }
        return true;
    }
}
