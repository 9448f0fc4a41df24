using System.Buffers.Binary;
using System.IO.Compression;

namespace Challenge.Ml.Data;

/// <summary>
/// Reads IDX files (MNIST, Fashion-MNIST), gzipped or not: unsigned-byte images [N, H, W] or
/// [N, H, W, C] and unsigned-byte label vectors.
/// </summary>
public static class IdxReader
{
    private const byte UnsignedByte = 0x08;

    public static ImageDataset ReadImages(string path)
    {
        var (dimensions, data) = Read(path);
        if (dimensions.Length is not (3 or 4))
        {
            throw new InvalidDataException($"{path} holds a {dimensions.Length}-dimensional array; images need [N, H, W] or [N, H, W, C].");
        }

        var pixels = new float[data.Length];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = data[i] / 255f;
        }

        return new ImageDataset(pixels, dimensions[0], dimensions[1], dimensions[2], dimensions.Length == 4 ? dimensions[3] : 1);
    }

    public static int[] ReadLabels(string path)
    {
        var (dimensions, data) = Read(path);
        if (dimensions.Length != 1)
        {
            throw new InvalidDataException($"{path} holds a {dimensions.Length}-dimensional array; labels need one dimension.");
        }

        return [.. data.Select(b => (int)b)];
    }

    /// <summary>
    /// Images with their labels when a labels file sits beside them under the usual name
    /// ("train-images-idx3-ubyte.gz" goes with "train-labels-idx1-ubyte.gz").
    /// </summary>
    public static ImageDataset ReadImagesWithLabels(string imagesPath)
    {
        var images = ReadImages(imagesPath);
        var labelsPath = Path.Combine(
            Path.GetDirectoryName(imagesPath) ?? ".",
            Path.GetFileName(imagesPath).Replace("images-idx3", "labels-idx1", StringComparison.Ordinal));
        if (labelsPath == imagesPath || !File.Exists(labelsPath))
        {
            return images;
        }

        var labels = ReadLabels(labelsPath);
        if (labels.Length != images.Count)
        {
            throw new InvalidDataException($"{labelsPath} has {labels.Length} labels for the {images.Count} images of {imagesPath}.");
        }

        return images.WithLabels(labels, null);
    }

    public static (int[] Dimensions, byte[] Data) Read(string path)
    {
        using var file = File.OpenRead(path);
        Span<byte> sniff = stackalloc byte[2];
        var isGzip = file.Read(sniff) == 2 && sniff[0] == 0x1f && sniff[1] == 0x8b;
        file.Position = 0;
        using var stream = isGzip ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
        return Read(stream, path);
    }

    public static (int[] Dimensions, byte[] Data) Read(Stream stream, string name)
    {
        Span<byte> magic = stackalloc byte[4];
        stream.ReadExactly(magic);
        if (magic[0] != 0 || magic[1] != 0 || magic[3] is 0 or > 8)
        {
            throw new InvalidDataException($"{name} is not an IDX file (bad magic number).");
        }

        if (magic[2] != UnsignedByte)
        {
            throw new NotSupportedException($"{name} holds IDX type 0x{magic[2]:x2}; only unsigned bytes (0x08) are supported.");
        }

        var dimensions = new int[magic[3]];
        Span<byte> size = stackalloc byte[4];
        long count = 1;
        for (var i = 0; i < dimensions.Length; i++)
        {
            stream.ReadExactly(size);
            dimensions[i] = checked((int)BinaryPrimitives.ReadUInt32BigEndian(size));
            count *= dimensions[i];
        }

        if (count > Array.MaxLength)
        {
            throw new NotSupportedException($"{name} holds {count} values, more than one array can hold.");
        }

        var data = new byte[count];
        stream.ReadExactly(data);
        return (dimensions, data);
    }
}
