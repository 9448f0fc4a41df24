using System.Globalization;
using System.Text;
using Challenge.Scoring.Csv;
using CsvHelper;

namespace Challenge.Scoring.Tests;

public class CsvReaderTests
{
    public static TheoryData<string> TrickyFiles() => new()
    {
        "Id,Category\n1,Forest\n2,River\n",
        "Id,Category\r\n1,Forest\r\n2,River",
        "\uFEFFId,Category\n1,Forest\n2,River\n\n",
        "Id,Category\n\"1\",\"Forest\"\n\"2\",\"Sea, Lake\"\n",
        "Id,Note\n1,\"line one\nline two\"\n2,\"say \"\"hi\"\"\"\r\n3,\"\"\n",
        "a,b,c\n,,\n\"\",\"\",\"\"\n",
        "Id,Category\n1,Forêt\n2,河流\n",
        "Id,Category\n\"multi\r\nline\",x\r\n2,y",
    };

    [Theory]
    [MemberData(nameof(TrickyFiles))]
    public void Reads_the_same_fields_as_CsvHelper(string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        var expected = ReadWithCsvHelper(bytes);
        Assert.Equal(expected, ReadAll(new MemoryStream(bytes), initialBuffer: 1 << 20));
        // One byte per read and a tiny buffer exercise every refill and record boundary.
        Assert.Equal(expected, ReadAll(new TrickleStream(bytes), initialBuffer: 16));
    }

    [Fact]
    public void Line_numbers_count_physical_lines_inside_quotes()
    {
        var reader = new Utf8CsvReader(new MemoryStream(Encoding.UTF8.GetBytes("h1,h2\n1,\"a\nb\nc\"\n2,x\n")), long.MaxValue);
        var lines = new List<int>();
        while (reader.Read() == CsvReadStatus.Record)
        {
            lines.Add(reader.Line);
        }
        Assert.Equal([1, 2, 5], lines);
    }

    [Fact]
    public void Quote_inside_an_unquoted_field_is_a_problem_of_that_record_only()
    {
        var reader = new Utf8CsvReader(new MemoryStream("a,b\n1,x\"y\n2,z\n"u8.ToArray()), long.MaxValue);
        Assert.Equal(CsvReadStatus.Record, reader.Read());
        Assert.Equal(CsvReadStatus.Record, reader.Read());
        Assert.Equal("a quote appears inside an unquoted field (column 2); quote the whole field and double the inner quotes.", reader.RecordProblem);
        Assert.Equal(CsvReadStatus.Record, reader.Read());
        Assert.Null(reader.RecordProblem);
        Assert.Equal((3, "z"), (reader.Line, Encoding.UTF8.GetString(reader.Field(1))));
    }

    [Fact]
    public void Overlong_line_stops_reading()
    {
        var bytes = Encoding.UTF8.GetBytes("a,b\n" + new string('x', 5000) + "\n");
        var reader = new Utf8CsvReader(new MemoryStream(bytes), long.MaxValue, maxRecordBytes: 2048, initialBufferBytes: 64);
        Assert.Equal(CsvReadStatus.Record, reader.Read());
        Assert.Equal(CsvReadStatus.Fatal, reader.Read());
        Assert.Equal(2, reader.FatalLine);
        Assert.Equal("The line is longer than 2,048 bytes; this does not look like a CSV file of predictions.", reader.FatalProblem);
    }

    [Fact]
    public void A_reader_on_a_pooled_buffer_left_dirty_by_an_earlier_file_reads_only_its_own_bytes()
    {
        // The first file grows its buffer past the initial size and fills it with long lines;
        // the second, shorter and without a final newline, gets a reused buffer.
        var first = Encoding.UTF8.GetBytes("Id,Category\n" + string.Join("\n", Enumerable.Range(0, 200).Select(i => $"{i},{new string('z', 300)}")) + "\n");
        Assert.Equal(201, ReadAll(new MemoryStream(first), initialBuffer: 256).Count);

        for (var round = 0; round < 3; round++)
        {
            var second = ReadAll(new MemoryStream("Id,Category\n1,a\n2,b"u8.ToArray()), initialBuffer: 256);
            Assert.Equal([["Id", "Category"], ["1", "a"], ["2", "b"]], second);
        }
    }

    [Fact]
    public void A_disposed_reader_holds_no_buffer()
    {
        var reader = new Utf8CsvReader(new MemoryStream("a,b\n1,2\n"u8.ToArray()), long.MaxValue);
        Assert.Equal(CsvReadStatus.Record, reader.Read());
        reader.Dispose();
        reader.Dispose();
        Assert.True(reader.Peek(16).IsEmpty);
    }

    [Fact]
    public void Fast_number_parser_gives_the_framework_parser_s_exact_bits()
    {
        var random = new Random(3);
        string[] formats = ["R", "G6", "F4", "E3", "0.000000", "G17"];
        for (int i = 0; i < 20000; i++)
        {
            double value = (random.NextDouble() - 0.2) * Math.Pow(10, random.Next(-20, 20));
            string text = value.ToString(formats[i % formats.Length], CultureInfo.InvariantCulture);
            Assert.True(FastDouble.TryParse(Encoding.ASCII.GetBytes(text), out double parsed), text);
            Assert.Equal(BitConverter.DoubleToInt64Bits(double.Parse(text, CultureInfo.InvariantCulture)), BitConverter.DoubleToInt64Bits(parsed));
        }
        foreach (string bad in new[] { "", "-", ".", "1e", "1.2.3", "0x10", "abc" })
        {
            Assert.False(FastDouble.TryParse(Encoding.ASCII.GetBytes(bad), out _), bad);
        }
    }

    private static List<string[]> ReadWithCsvHelper(byte[] bytes)
    {
        var rows = new List<string[]>();
        using var reader = CsvReader.Create(bytes, new CsvReaderOptions { HasHeader = false });
        while (reader.Read())
        {
            rows.Add(Enumerable.Range(0, reader.FieldCount).Select(reader.GetString).ToArray());
        }
        return rows;
    }

    private static List<string[]> ReadAll(Stream stream, int initialBuffer)
    {
        var rows = new List<string[]>();
        using var reader = new Utf8CsvReader(stream, long.MaxValue, initialBufferBytes: initialBuffer);
        CsvReadStatus status;
        while ((status = reader.Read()) == CsvReadStatus.Record)
        {
            Assert.Null(reader.RecordProblem);
            if (!reader.IsBlank)
            {
                rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => Encoding.UTF8.GetString(reader.Field(i))).ToArray());
            }
        }
        Assert.Equal(CsvReadStatus.EndOfFile, status);
        return rows;
    }

    /// <summary>Returns one byte per read, like a slow network upload.</summary>
    private sealed class TrickleStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1));
    }
}
