using System.Buffers.Binary;

namespace Challenge.Annotations.Assets;

public enum ImageKind
{
    Png,
    Jpeg,
}

/// <summary>The size of a PNG or JPEG read from its first bytes, without decoding the pixels.</summary>
public sealed record ImageHeader(ImageKind Kind, int Width, int Height)
{
    /// <summary>How many leading bytes <see cref="TryRead"/> may need: JPEG metadata (EXIF, ICC) can precede the frame header.</summary>
    public const int MaxHeaderBytes = 256 * 1024;

    public string ContentType => Kind == ImageKind.Png ? "image/png" : "image/jpeg";

    /// <summary>Reads the size, or explains why the bytes are not a PNG or JPEG this reader understands.</summary>
    public static ImageHeader? TryRead(ReadOnlySpan<byte> head, out string? problem)
    {
        problem = null;
        if (head.Length >= 24 && head[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            if (!head.Slice(12, 4).SequenceEqual("IHDR"u8))
            {
                problem = "a PNG file must start with its IHDR chunk";
                return null;
            }

            return Checked(ImageKind.Png, BinaryPrimitives.ReadInt32BigEndian(head.Slice(16, 4)), BinaryPrimitives.ReadInt32BigEndian(head.Slice(20, 4)), out problem);
        }

        if (head.Length >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF)
        {
            return ReadJpeg(head, out problem);
        }

        problem = "not a PNG or JPEG image";
        return null;
    }

    private static ImageHeader? ReadJpeg(ReadOnlySpan<byte> head, out string? problem)
    {
        var position = 2;
        while (position + 4 <= head.Length)
        {
            if (head[position] != 0xFF)
            {
                problem = $"a JPEG marker was expected at byte {position}";
                return null;
            }

            var marker = head[position + 1];
            if (marker == 0xFF)
            {
                position++;
                continue;
            }

            if (marker is 0xD8 or 0x01 or >= 0xD0 and <= 0xD7)
            {
                position += 2;
                continue;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(head.Slice(position + 2, 2));
            if (length < 2)
            {
                problem = $"a JPEG segment at byte {position} has an impossible length";
                return null;
            }

            // SOF0..SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                if (position + 9 > head.Length)
                {
                    break;
                }

                var height = BinaryPrimitives.ReadUInt16BigEndian(head.Slice(position + 5, 2));
                var width = BinaryPrimitives.ReadUInt16BigEndian(head.Slice(position + 7, 2));
                return Checked(ImageKind.Jpeg, width, height, out problem);
            }

            if (marker is 0xD9 or 0xDA)
            {
                break;
            }

            position += 2 + length;
        }

        problem = $"no JPEG frame header in the first {MaxHeaderBytes / 1024} KiB";
        return null;
    }

    private static ImageHeader? Checked(ImageKind kind, int width, int height, out string? problem)
    {
        if (width is <= 0 or > 65535 || height is <= 0 or > 65535)
        {
            problem = $"the image declares an impossible size {width}x{height}";
            return null;
        }

        problem = null;
        return new ImageHeader(kind, width, height);
    }
}
