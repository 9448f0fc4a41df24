using System.Buffers.Binary;
using System.IO.Compression;

namespace Challenge.Core.Demo;

// A small RGB drawing surface for the generated demo images, written as PNG. The shapes are crude on
// purpose: each class gets its own colours, textures and shapes, plus noise, so that a small CNN can
// learn them while a colour histogram alone cannot quite.
public sealed class DemoCanvas(int width, int height)
{
    private readonly byte[] _pixels = new byte[width * height * 3];

    public int Width => width;
    public int Height => height;

    public void Fill((int R, int G, int B) colour)
    {
        for (var i = 0; i < _pixels.Length; i += 3)
        {
            (_pixels[i], _pixels[i + 1], _pixels[i + 2]) = ((byte)colour.R, (byte)colour.G, (byte)colour.B);
        }
    }

    public void Set(int x, int y, (int R, int G, int B) colour)
    {
        if (x < 0 || y < 0 || x >= width || y >= height)
        {
            return;
        }
        var i = (y * width + x) * 3;
        (_pixels[i], _pixels[i + 1], _pixels[i + 2]) = (Clamp(colour.R), Clamp(colour.G), Clamp(colour.B));
    }

    public void Rect(int x0, int y0, int w, int h, (int R, int G, int B) colour)
    {
        for (var y = Math.Max(0, y0); y < Math.Min(height, y0 + h); y++)
        {
            for (var x = Math.Max(0, x0); x < Math.Min(width, x0 + w); x++)
            {
                Set(x, y, colour);
            }
        }
    }

    public void Ellipse(double cx, double cy, double rx, double ry, (int R, int G, int B) colour)
    {
        for (var y = (int)Math.Max(0, cy - ry); y <= Math.Min(height - 1, cy + ry); y++)
        {
            for (var x = (int)Math.Max(0, cx - rx); x <= Math.Min(width - 1, cx + rx); x++)
            {
                var (dx, dy) = ((x - cx) / rx, (y - cy) / ry);
                if (dx * dx + dy * dy <= 1)
                {
                    Set(x, y, colour);
                }
            }
        }
    }

    // A band of the given thickness along the line through (x0, y0) at the given angle.
    public void Band(double x0, double y0, double angle, double thickness, (int R, int G, int B) colour)
    {
        var (nx, ny) = (-Math.Sin(angle), Math.Cos(angle));
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                if (Math.Abs((x - x0) * nx + (y - y0) * ny) <= thickness / 2)
                {
                    Set(x, y, colour);
                }
            }
        }
    }

    // Parallel stripes: period in pixels, duty the share painted.
    public void Stripes(double angle, double period, double duty, (int R, int G, int B) colour, double phase = 0)
    {
        var (nx, ny) = (-Math.Sin(angle), Math.Cos(angle));
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var t = (x * nx + y * ny + phase) / period;
                if (t - Math.Floor(t) < duty)
                {
                    Set(x, y, colour);
                }
            }
        }
    }

    public void Noise(Random random, int amplitude)
    {
        for (var i = 0; i < _pixels.Length; i++)
        {
            _pixels[i] = Clamp(_pixels[i] + random.Next(-amplitude, amplitude + 1));
        }
    }

    // Brightness and colour cast of the whole tile, as varying light and sensors give.
    public void Tint(double gain, int dr, int dg, int db)
    {
        for (var i = 0; i < _pixels.Length; i += 3)
        {
            _pixels[i] = Clamp((int)(_pixels[i] * gain) + dr);
            _pixels[i + 1] = Clamp((int)(_pixels[i + 1] * gain) + dg);
            _pixels[i + 2] = Clamp((int)(_pixels[i + 2] * gain) + db);
        }
    }

    /// <summary>The image as a PNG file (8-bit RGB, no interlace; see the PNG specification, ISO/IEC 15948).</summary>
    public byte[] ToPng()
    {
        using var output = new MemoryStream();
        output.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 2; // colour type RGB
        WriteChunk(output, "IHDR", header);

        using var raw = new MemoryStream();
        using (var zlib = new ZLibStream(raw, CompressionLevel.Fastest, leaveOpen: true))
        {
            for (var y = 0; y < height; y++)
            {
                zlib.WriteByte(0); // filter: none
                zlib.Write(_pixels, y * width * 3, width * 3);
            }
        }
        WriteChunk(output, "IDAT", raw.ToArray());
        WriteChunk(output, "IEND", []);
        return output.ToArray();
    }

    private static void WriteChunk(Stream output, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        output.Write(length);
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        output.Write(typeBytes);
        output.Write(data);
        Span<byte> sum = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(sum, ~Crc(Crc(0xFFFFFFFFu, typeBytes), data));
        output.Write(sum);
    }

    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        var c = (uint)n;
        for (var k = 0; k < 8; k++)
        {
            c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }
        return c;
    }).ToArray();

    // The CRC-32 of the PNG specification (annex D), continued from a running value.
    private static uint Crc(uint running, byte[] data)
    {
        foreach (var b in data)
        {
            running = CrcTable[(running ^ b) & 0xFF] ^ (running >> 8);
        }
        return running;
    }

    private static byte Clamp(int value) => (byte)Math.Clamp(value, 0, 255);
}
