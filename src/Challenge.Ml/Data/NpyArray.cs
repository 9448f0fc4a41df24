using System.Buffers.Binary;
using System.Text;

namespace Challenge.Ml.Data;

/// <summary>
/// One array from a NumPy .npy file: C-ordered, little-endian bytes and their type. Conversions
/// check the type so that a wrong array gives an error rather than garbage.
/// </summary>
public sealed class NpyArray
{
    internal NpyArray(string name, string descr, int[] shape, byte[] data)
    {
        Name = name;
        Descr = descr;
        Shape = shape;
        Data = data;
    }

    public string Name { get; }

    /// <summary>NumPy's type string, e.g. "|u1", "&lt;f4", "&lt;i8", "&lt;U12".</summary>
    public string Descr { get; }

    public IReadOnlyList<int> Shape { get; }

    public int Rank => Shape.Count;

    public long Count => Shape.Aggregate(1L, (a, b) => a * b);

    internal byte[] Data { get; }

    /// <summary>Type kind: 'u' unsigned, 'i' signed, 'f' float, 'U' unicode string, 'b' boolean.</summary>
    public char Kind => Descr[1];

    public int ItemSize => int.Parse(Descr.AsSpan(2));

    public bool IsInteger => Kind is 'u' or 'i' or 'b';

    public bool IsString => Kind == 'U';

    /// <summary>Pixel values as floats: 8-bit unsigned integers are scaled to [0, 1], floats are kept.</summary>
    public float[] ToPixels()
    {
        switch (Kind, ItemSize)
        {
            case ('u', 1):
                var scaled = new float[Data.Length];
                for (var i = 0; i < scaled.Length; i++)
                {
                    scaled[i] = Data[i] / 255f;
                }

                return scaled;
            case ('f', 4):
                var floats = new float[Data.Length / 4];
                Buffer.BlockCopy(Data, 0, floats, 0, Data.Length);
                return floats;
            case ('f', 8):
                var doubles = new float[Data.Length / 8];
                for (var i = 0; i < doubles.Length; i++)
                {
                    doubles[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(Data.AsSpan(i * 8));
                }

                return doubles;
            default:
                throw new NotSupportedException(
                    $"Array '{Name}' has dtype {Descr}; images must be uint8 (|u1) or float32 (<f4).");
        }
    }

    /// <summary>Integer class labels from an int8/16/32/64 or uint8/16/32 array.</summary>
    public int[] ToLabels()
    {
        if (!IsInteger || Kind == 'b')
        {
            throw new NotSupportedException($"Array '{Name}' has dtype {Descr}; labels must be integers (uint8, int32 or int64).");
        }

        var result = new int[Count];
        var span = Data.AsSpan();
        for (var i = 0; i < result.Length; i++)
        {
            var item = span.Slice(i * ItemSize, ItemSize);
            long value = (Kind, ItemSize) switch
            {
                ('u', 1) => item[0],
                ('i', 1) => (sbyte)item[0],
                ('u', 2) => BinaryPrimitives.ReadUInt16LittleEndian(item),
                ('i', 2) => BinaryPrimitives.ReadInt16LittleEndian(item),
                ('u', 4) => BinaryPrimitives.ReadUInt32LittleEndian(item),
                ('i', 4) => BinaryPrimitives.ReadInt32LittleEndian(item),
                ('i', 8) => BinaryPrimitives.ReadInt64LittleEndian(item),
                ('u', 8) => (long)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(item), long.MaxValue),
                _ => throw new NotSupportedException($"Array '{Name}' has unsupported label dtype {Descr}."),
            };
            if (value is < 0 or > int.MaxValue)
            {
                throw new InvalidDataException($"Label {value} at index {i} of '{Name}' is not a valid class index.");
            }

            result[i] = (int)value;
        }

        return result;
    }

    /// <summary>Strings of a NumPy unicode array (dtype &lt;U), e.g. class names.</summary>
    public string[] ToStrings()
    {
        if (!IsString)
        {
            throw new NotSupportedException($"Array '{Name}' has dtype {Descr}, not a unicode string type.");
        }

        var width = ItemSize * 4;
        var result = new string[Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = Encoding.UTF32.GetString(Data, i * width, width).TrimEnd('\0');
        }

        return result;
    }
}
