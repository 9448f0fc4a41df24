using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Challenge.Ml.Tests;

/// <summary>Writers for the file formats the readers accept, and a scratch folder per test.</summary>
internal sealed class TestFiles : IDisposable
{
    public TestFiles() => Directory.CreateDirectory(Folder);

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "challenge-ml-tests", Guid.NewGuid().ToString("N"));

    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "ml", name);

    public string PathOf(string name) => Path.Combine(Folder, name);

    public void Dispose() => Directory.Delete(Folder, recursive: true);

    public static byte[] Npy(string descr, int[] shape, byte[] data, bool fortranOrder = false)
    {
        var shapeText = shape.Length == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape)})";
        var header = $"{{'descr': '{descr}', 'fortran_order': {(fortranOrder ? "True" : "False")}, 'shape': {shapeText}, }}";
        var padded = header.PadRight((header.Length + 10 + 1 + 63) / 64 * 64 - 10 - 1) + "\n";
        using var stream = new MemoryStream();
        stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        var length = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)padded.Length);
        stream.Write(length);
        stream.Write(Encoding.ASCII.GetBytes(padded));
        stream.Write(data);
        return stream.ToArray();
    }

    public static byte[] Int64s(params long[] values)
    {
        var bytes = new byte[values.Length * 8];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 8), values[i]);
        }

        return bytes;
    }

    public static byte[] Floats(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return bytes;
    }

    public static void WriteNpz(string path, params (string Name, byte[] Npy)[] arrays)
    {
        using var archive = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, npy) in arrays)
        {
            using var entry = archive.CreateEntry(name + ".npy").Open();
            entry.Write(npy);
        }
    }

    public static byte[] Idx(int[] dimensions, byte[] data)
    {
        using var stream = new MemoryStream();
        stream.Write([0, 0, 0x08, (byte)dimensions.Length]);
        var size = new byte[4];
        foreach (var dimension in dimensions)
        {
            BinaryPrimitives.WriteInt32BigEndian(size, dimension);
            stream.Write(size);
        }

        stream.Write(data);
        return stream.ToArray();
    }

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }
}
