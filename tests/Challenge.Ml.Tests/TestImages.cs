using SkiaSharp;

namespace Challenge.Ml.Tests;

// JPEG files for the decoder tests, encoded by Skia (the PNG ones by PngTestEncoder, byte-exact).
internal static class TestImages
{
    public static byte[] Jpeg(int width, int height, Func<int, int, byte> grey, int quality = 90)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var value = grey(x, y);
                bitmap.SetPixel(x, y, new SKColor(value, value, value));
            }
        }

        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, quality);
        return data.ToArray();
    }
}
