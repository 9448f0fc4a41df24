using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Challenge.Ml.Tests;

/// <summary>
/// A minimal PNG writer that applies a chosen row filter to every row, so the decoder's five
/// filters can each be checked against known pixels.
/// </summary>
internal static class PngTestEncoder
{
    /// <param name="colourType">0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA.</param>
    /// <param name="samples">Rows of samples as stored (palette indices for type 3).</param>
    public static byte[] Encode(int width, int height, byte colourType, byte[] samples, byte filter, byte[]? palette = null, bool interlaced = false)
    {
        var bytesPerPixel = colourType switch { 0 or 3 => 1, 2 => 3, 4 => 2, _ => 4 };
        var stride = width * bytesPerPixel;
        var filtered = new MemoryStream();
        for (var y = 0; y < height; y++)
        {
            filtered.WriteByte(filter);
            for (var i = 0; i < stride; i++)
            {
                int raw = samples[y * stride + i];
                int left = i >= bytesPerPixel ? samples[y * stride + i - bytesPerPixel] : 0;
                int up = y > 0 ? samples[(y - 1) * stride + i] : 0;
                int upLeft = y > 0 && i >= bytesPerPixel ? samples[(y - 1) * stride + i - bytesPerPixel] : 0;
                var predictor = filter switch
                {
                    0 => 0,
                    1 => left,
                    2 => up,
                    3 => (left + up) / 2,
                    _ => Paeth(left, up, upLeft),
                };
                filtered.WriteByte((byte)(raw - predictor));
            }
        }

        var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(filtered.ToArray());
        }

        var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;
        header[9] = colourType;
        header[12] = interlaced ? (byte)1 : (byte)0;
        Chunk(png, "IHDR", header);
        if (palette is not null)
        {
            Chunk(png, "PLTE", palette);
        }

        Chunk(png, "tEXt", Encoding.ASCII.GetBytes("Comment\0ignored by the decoder"));
        var data = compressed.ToArray();

        // Split the data over two IDAT chunks: decoders must concatenate them.
        Chunk(png, "IDAT", data[..(data.Length / 2)]);
        Chunk(png, "IDAT", data[(data.Length / 2)..]);
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static int Paeth(int left, int up, int upLeft)
    {
        var estimate = left + up - upLeft;
        var (toLeft, toUp, toUpLeft) = (Math.Abs(estimate - left), Math.Abs(estimate - up), Math.Abs(estimate - upLeft));
        return toLeft <= toUp && toLeft <= toUpLeft ? left : toUp <= toUpLeft ? up : upLeft;
    }

    internal static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.Write(length);
        var typeAndData = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typeAndData);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typeAndData));
        png.Write(crc);
    }
}
