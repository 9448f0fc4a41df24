using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Challenge.Ml.Data;

/// <summary>
/// Decodes non-interlaced PNG files with 8 bits per sample: greyscale, grey+alpha, RGB, RGBA and
/// palette images (palette entries expand to RGB), with all five row filters.
/// </summary>
public static class PngDecoder
{
    private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static PngImage Decode(string path)
    {
        using var stream = File.OpenRead(path);
        return Decode(stream, path);
    }

    /// <param name="name">The file's name, used in error messages.</param>
    public static PngImage Decode(Stream stream, string name)
    {
        Span<byte> signature = stackalloc byte[8];
        if (stream.ReadAtLeast(signature, 8, throwOnEndOfStream: false) < 8 || !signature.SequenceEqual(Signature))
        {
            if (signature[0] == 0xFF && signature[1] == 0xD8)
            {
                throw new NotSupportedException($"{name} is a JPEG file; only PNG images are supported. Convert it to PNG.");
            }

            throw new InvalidDataException($"{name} is not a PNG file.");
        }

        var header = default(Header?);
        byte[]? palette = null;
        using var compressed = new MemoryStream();
        Span<byte> chunkHeader = stackalloc byte[8];
        Span<byte> crc = stackalloc byte[4];
        while (true)
        {
            stream.ReadExactly(chunkHeader);
            var length = checked((int)BinaryPrimitives.ReadUInt32BigEndian(chunkHeader));
            var type = Encoding.ASCII.GetString(chunkHeader[4..]);
            var data = new byte[length];
            stream.ReadExactly(data);
            stream.ReadExactly(crc);
            switch (type)
            {
                case "IHDR":
                    header = ReadHeader(data, name);
                    break;
                case "PLTE":
                    palette = data;
                    break;
                case "IDAT":
                    compressed.Write(data);
                    break;
                case "IEND":
                    var validHeader = header ?? throw new InvalidDataException($"{name} has no IHDR chunk.");
                    compressed.Position = 0;
                    return Reconstruct(validHeader, palette, compressed, name);
                default:
                    // Ancillary chunks (gamma, text, time, transparency...) do not change the samples.
                    break;
            }
        }
    }

    private static Header ReadHeader(ReadOnlySpan<byte> data, string name)
    {
        var width = checked((int)BinaryPrimitives.ReadUInt32BigEndian(data));
        var height = checked((int)BinaryPrimitives.ReadUInt32BigEndian(data[4..]));
        var (bitDepth, colourType, interlace) = (data[8], data[9], data[12]);
        if (interlace != 0)
        {
            throw new NotSupportedException($"{name} is Adam7-interlaced, which is not supported; save it without interlacing.");
        }

        if (bitDepth != 8)
        {
            throw new NotSupportedException($"{name} has {bitDepth} bits per sample; only 8-bit PNG images are supported.");
        }

        var channels = colourType switch
        {
            0 => 1,
            2 => 3,
            3 => 1,
            4 => 2,
            6 => 4,
            _ => throw new InvalidDataException($"{name} has an invalid PNG colour type {colourType}."),
        };
        if (width <= 0 || height <= 0)
        {
            throw new InvalidDataException($"{name} has an empty size {width}x{height}.");
        }

        return new Header(width, height, colourType, channels);
    }

    private static PngImage Reconstruct(Header header, byte[]? palette, Stream compressed, string name)
    {
        var stride = header.Width * header.SampleChannels;
        var raw = new byte[header.Height * stride];
        using (var inflater = new ZLibStream(compressed, CompressionMode.Decompress))
        {
            var zeroRow = new byte[stride];
            var filterByte = new byte[1];
            for (var y = 0; y < header.Height; y++)
            {
                try
                {
                    inflater.ReadExactly(filterByte);
                    inflater.ReadExactly(raw, y * stride, stride);
                }
                catch (EndOfStreamException)
                {
                    throw new InvalidDataException($"{name} is truncated: image data ends at row {y} of {header.Height}.");
                }

                var row = raw.AsSpan(y * stride, stride);
                Unfilter(filterByte[0], row, y == 0 ? zeroRow : raw.AsSpan((y - 1) * stride, stride), header.SampleChannels, name);
            }
        }

        if (header.ColourType != 3)
        {
            return new PngImage(header.Width, header.Height, header.SampleChannels, raw);
        }

        if (palette is null || palette.Length % 3 != 0)
        {
            throw new InvalidDataException($"{name} is a palette image without a valid PLTE chunk.");
        }

        var rgb = new byte[raw.Length * 3];
        for (var i = 0; i < raw.Length; i++)
        {
            var entry = raw[i] * 3;
            if (entry + 2 >= palette.Length)
            {
                throw new InvalidDataException($"{name} uses palette entry {raw[i]} but its palette has {palette.Length / 3} entries.");
            }

            rgb[3 * i] = palette[entry];
            rgb[3 * i + 1] = palette[entry + 1];
            rgb[3 * i + 2] = palette[entry + 2];
        }

        return new PngImage(header.Width, header.Height, 3, rgb);
    }

    private static void Unfilter(byte filter, Span<byte> row, ReadOnlySpan<byte> previous, int bytesPerPixel, string name)
    {
        switch (filter)
        {
            case 0:
                break;
            case 1:
                for (var i = bytesPerPixel; i < row.Length; i++)
                {
                    row[i] += row[i - bytesPerPixel];
                }

                break;
            case 2:
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] += previous[i];
                }

                break;
            case 3:
                for (var i = 0; i < row.Length; i++)
                {
                    var left = i >= bytesPerPixel ? row[i - bytesPerPixel] : 0;
                    row[i] += (byte)((left + previous[i]) >> 1);
                }

                break;
            case 4:
                for (var i = 0; i < row.Length; i++)
                {
                    var left = i >= bytesPerPixel ? row[i - bytesPerPixel] : (byte)0;
                    var upLeft = i >= bytesPerPixel ? previous[i - bytesPerPixel] : (byte)0;
                    row[i] += Paeth(left, previous[i], upLeft);
                }

                break;
            default:
                throw new InvalidDataException($"{name} uses unknown PNG row filter {filter}.");
        }
    }

    private static byte Paeth(byte left, byte up, byte upLeft)
    {
        var estimate = left + up - upLeft;
        var toLeft = Math.Abs(estimate - left);
        var toUp = Math.Abs(estimate - up);
        var toUpLeft = Math.Abs(estimate - upLeft);
        if (toLeft <= toUp && toLeft <= toUpLeft)
        {
            return left;
        }

        return toUp <= toUpLeft ? up : upLeft;
    }

    /// <param name="SampleChannels">Bytes per pixel in the compressed rows (1 for palette indices).</param>
    private readonly record struct Header(int Width, int Height, byte ColourType, int SampleChannels);
}
