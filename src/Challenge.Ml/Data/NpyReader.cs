using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

namespace Challenge.Ml.Data;

/// <summary>Reads NumPy .npy files and .npz archives (a zip of .npy files, compressed or not).</summary>
public static partial class NpyReader
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public static NpyArray ReadNpy(string path)
    {
        using var stream = File.OpenRead(path);
        return ReadNpy(stream, Path.GetFileNameWithoutExtension(path));
    }

    /// <summary>All arrays of an .npz file, keyed by their name (the entry name without ".npy").</summary>
    public static IReadOnlyDictionary<string, NpyArray> ReadNpz(string path)
    {
        using var stream = File.OpenRead(path);
        return ReadNpz(stream);
    }

    public static IReadOnlyDictionary<string, NpyArray> ReadNpz(Stream stream)
    {
        using var archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        var arrays = new Dictionary<string, NpyArray>(StringComparer.Ordinal);
        foreach (var entry in archive.Entries.Where(e => e.FullName.EndsWith(".npy", StringComparison.Ordinal)))
        {
            var name = entry.FullName[..^".npy".Length];
            using var entryStream = entry.Open();
            arrays[name] = ReadNpy(entryStream, name);
        }

        return arrays;
    }

    public static NpyArray ReadNpy(Stream stream, string name)
    {
        Span<byte> prefix = stackalloc byte[8];
        stream.ReadExactly(prefix);
        if (!prefix[..6].SequenceEqual(Magic))
        {
            throw new InvalidDataException($"'{name}' is not a NumPy .npy array (bad magic number).");
        }

        var major = prefix[6];
        int headerLength;
        if (major == 1)
        {
            Span<byte> length = stackalloc byte[2];
            stream.ReadExactly(length);
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(length);
        }
        else if (major is 2 or 3)
        {
            Span<byte> length = stackalloc byte[4];
            stream.ReadExactly(length);
            headerLength = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(length));
        }
        else
        {
            throw new NotSupportedException($"'{name}' uses .npy format version {major}, which is not supported.");
        }

        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        var header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);
        var (descr, fortranOrder, shape) = ParseHeader(header, name);
        if (fortranOrder)
        {
            throw new NotSupportedException($"'{name}' is stored in Fortran (column-major) order; save it with C order (np.ascontiguousarray).");
        }

        ValidateDescr(descr, name);
        var itemSize = int.Parse(descr.AsSpan(2));
        var byteCount = shape.Aggregate(1L, (a, b) => a * b) * (descr[1] == 'U' ? itemSize * 4 : itemSize);
        if (byteCount > Array.MaxLength)
        {
            throw new NotSupportedException($"'{name}' holds {byteCount} bytes, more than one array can hold.");
        }

        var data = new byte[byteCount];
        stream.ReadExactly(data);
        return new NpyArray(name, descr, shape, data);
    }

    private static (string Descr, bool FortranOrder, int[] Shape) ParseHeader(string header, string name)
    {
        var descr = DescrPattern().Match(header);
        var fortran = FortranPattern().Match(header);
        var shape = ShapePattern().Match(header);
        if (!descr.Success || !fortran.Success || !shape.Success)
        {
            throw new InvalidDataException($"'{name}' has an unreadable .npy header: {header.Trim()}");
        }

        var dimensions = shape.Groups[1].Value
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => int.Parse(d.TrimEnd('L')))
            .ToArray();
        return (descr.Groups[1].Value, fortran.Groups[1].Value == "True", dimensions);
    }

    private static void ValidateDescr(string descr, string name)
    {
        if (descr.Length < 3 || !char.IsDigit(descr[2]))
        {
            throw new NotSupportedException($"'{name}' has dtype {descr}; structured and object arrays are not supported.");
        }

        if (descr[0] == '>' && descr[2..] != "1")
        {
            throw new NotSupportedException($"'{name}' has big-endian dtype {descr}; only little-endian arrays are supported.");
        }

        if (descr[1] is not ('u' or 'i' or 'f' or 'U' or 'b'))
        {
            throw new NotSupportedException($"'{name}' has dtype {descr}; supported are unsigned and signed integers, floats and unicode strings.");
        }
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']+)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
