using SkiaSharp;

namespace Challenge.Ml.Data;

/// <summary>A decoded 8-bit image: rows of pixels, channels interleaved (1 grey or 3 RGB).</summary>
public sealed record DecodedImage(int Width, int Height, int Channels, byte[] Pixels);

/// <summary>
/// Decodes one image file through Skia (PNG, JPEG, WebP, GIF, BMP, ICO, WBMP), optionally resized
/// to a given size. Every refusal names the file or archive entry: a corrupt file, a format Skia
/// does not read, a file or an image too large to decode.
/// </summary>
public static class ImageDecoder
{
    /// <summary>Largest file read (a zip entry says its size; a larger one is refused before reading).</summary>
    public const long MaxFileBytes = 64L << 20;

    /// <summary>Largest image decoded, in pixels (8192 x 8192).</summary>
    public const long MaxPixels = 8192L * 8192;

    /// <param name="name">The file or archive entry, for messages.</param>
    /// <param name="size">Resize to this (height, width); null keeps the image's own size.</param>
    /// <param name="channels">1 (grey) or 3 (RGB); null: 1 when the file is grey, else 3. Alpha is dropped.</param>
    public static DecodedImage Decode(Stream stream, string name, (int Height, int Width)? size = null, int? channels = null)
    {
        var bytes = ReadBounded(stream, name);
        using var codec = SKCodec.Create(new MemoryStream(bytes, writable: false), out var opened);
        if (codec is null)
        {
            throw Format(bytes) is { } format
                ? new InvalidDataException($"{name} is a corrupt {format} file: the decoder answered {opened}.")
                : new NotSupportedException($"{name} is not an image in a format the worker reads (PNG, JPEG, WebP, GIF, BMP, ICO, WBMP).");
        }

        var (width, height) = (codec.Info.Width, codec.Info.Height);
        if (width < 1 || height < 1 || (long)width * height > MaxPixels)
        {
            throw new InvalidDataException($"{name} is {width}x{height} pixels; images of at most {MaxPixels:N0} pixels are decoded.");
        }

        var grey = channels == 1 || (channels is null && codec.Info.ColorType == SKColorType.Gray8);
        var info = new SKImageInfo(width, height, grey ? SKColorType.Gray8 : SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        var decoded = codec.GetPixels(info, bitmap.GetPixels());
        if (decoded != SKCodecResult.Success)
        {
            throw new InvalidDataException($"{name} is a corrupt {codec.EncodedFormat.ToString().ToUpperInvariant()} file: the decoder answered {decoded}.");
        }

        var (targetHeight, targetWidth) = size ?? (height, width);
        if (targetHeight == height && targetWidth == width)
        {
            return new DecodedImage(width, height, grey ? 1 : 3, Pack(bitmap, grey));
        }

        // Mipmaps keep a large photo's downscale from aliasing; linear filtering is what the
        // usual image libraries' "bilinear" resize gives.
        using var resized = bitmap.Resize(new SKImageInfo(targetWidth, targetHeight, info.ColorType, SKAlphaType.Unpremul),
            new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear))
            ?? throw new InvalidDataException($"{name}: resizing from {width}x{height} to {targetWidth}x{targetHeight} failed.");
        return new DecodedImage(targetWidth, targetHeight, grey ? 1 : 3, Pack(resized, grey));
    }

    private static byte[] ReadBounded(Stream stream, string name)
    {
        if (stream.CanSeek && stream.Length > MaxFileBytes)
        {
            throw new InvalidDataException($"{name} is {stream.Length:N0} bytes; image files of at most {MaxFileBytes:N0} bytes are read.");
        }

        using var copy = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            if (copy.Length + read > MaxFileBytes)
            {
                throw new InvalidDataException($"{name} is larger than {MaxFileBytes:N0} bytes, the most an image file may be.");
            }

            copy.Write(buffer, 0, read);
        }

        return copy.ToArray();
    }

    // Known signatures, so that a damaged file of a known format is called corrupt rather than unknown.
    private static string? Format(ReadOnlySpan<byte> bytes) => bytes switch
    {
        [0x89, (byte)'P', (byte)'N', (byte)'G', ..] => "PNG",
        [0xFF, 0xD8, 0xFF, ..] => "JPEG",
        [(byte)'G', (byte)'I', (byte)'F', (byte)'8', ..] => "GIF",
        [(byte)'R', (byte)'I', (byte)'F', (byte)'F', _, _, _, _, (byte)'W', (byte)'E', (byte)'B', (byte)'P', ..] => "WebP",
        [(byte)'B', (byte)'M', ..] => "BMP",
        _ => null,
    };

    // Rows without padding; RGBA loses its alpha.
    private static byte[] Pack(SKBitmap bitmap, bool grey)
    {
        var (width, height) = (bitmap.Width, bitmap.Height);
        var source = bitmap.GetPixelSpan();
        var rowBytes = bitmap.RowBytes;
        var channels = grey ? 1 : 3;
        var pixels = new byte[width * height * channels];
        for (var y = 0; y < height; y++)
        {
            var row = source.Slice(y * rowBytes);
            var target = pixels.AsSpan(y * width * channels, width * channels);
            if (grey)
            {
                row[..width].CopyTo(target);
                continue;
            }

            for (var x = 0; x < width; x++)
            {
                target[3 * x] = row[4 * x];
                target[3 * x + 1] = row[4 * x + 1];
                target[3 * x + 2] = row[4 * x + 2];
            }
        }

        return pixels;
    }
}
