using System.Buffers.Binary;
using System.Numerics;

namespace Challenge.Scoring.Csv;

/// <summary>
/// Hash set of byte strings that maps each distinct key to its insertion index. Keys live in
/// one growing byte array, so millions of Ids cost a few bytes each instead of a string object,
/// and lookups take the raw UTF-8 field without decoding it.
/// </summary>
internal sealed class ByteKeyTable
{
    private byte[] _keyBytes;
    private int _keyBytesLength;
    private int[] _keyOffsets;
    private int[] _slots;
    private int _mask;

    public ByteKeyTable(int expectedCount = 16)
    {
        _keyBytes = new byte[Math.Max(64, expectedCount * 8)];
        _keyOffsets = new int[Math.Max(16, expectedCount) + 1];
        int capacity = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, expectedCount * 2));
        _slots = new int[capacity];
        _mask = capacity - 1;
    }

    public int Count { get; private set; }

    public ReadOnlySpan<byte> GetKey(int index) =>
        new(_keyBytes, _keyOffsets[index], _keyOffsets[index + 1] - _keyOffsets[index]);

    /// <summary>Index of <paramref name="key"/>, or -1.</summary>
    public int Find(ReadOnlySpan<byte> key)
    {
        int slot = (int)Hash(key) & _mask;
        while (true)
        {
            int entry = _slots[slot];
            if (entry == 0)
            {
                return -1;
            }
            if (GetKey(entry - 1).SequenceEqual(key))
            {
                return entry - 1;
            }
            slot = (slot + 1) & _mask;
        }
    }

    /// <summary>Adds the key; returns its new index, or <c>~existingIndex</c> when it was already there.</summary>
    public int Add(ReadOnlySpan<byte> key)
    {
        if ((Count + 1) * 2 > _slots.Length)
        {
            Rehash(_slots.Length * 2);
        }
        int slot = (int)Hash(key) & _mask;
        while (true)
        {
            int entry = _slots[slot];
            if (entry == 0)
            {
                break;
            }
            if (GetKey(entry - 1).SequenceEqual(key))
            {
                return ~(entry - 1);
            }
            slot = (slot + 1) & _mask;
        }

        if (_keyBytesLength + key.Length > _keyBytes.Length)
        {
            Array.Resize(ref _keyBytes, Math.Max(_keyBytes.Length * 2, _keyBytesLength + key.Length));
        }
        if (Count + 2 > _keyOffsets.Length)
        {
            Array.Resize(ref _keyOffsets, _keyOffsets.Length * 2);
        }
        key.CopyTo(_keyBytes.AsSpan(_keyBytesLength));
        _keyBytesLength += key.Length;
        _keyOffsets[Count + 1] = _keyBytesLength;
        _slots[slot] = Count + 1;
        return Count++;
    }

    private void Rehash(int capacity)
    {
        _slots = new int[capacity];
        _mask = capacity - 1;
        for (int index = 0; index < Count; index++)
        {
            int slot = (int)Hash(GetKey(index)) & _mask;
            while (_slots[slot] != 0)
            {
                slot = (slot + 1) & _mask;
            }
            _slots[slot] = index + 1;
        }
    }

    /// <summary>Fast multiplicative hash over 8-byte words; keys are short, trusted-length Ids and class names.</summary>
    private static ulong Hash(ReadOnlySpan<byte> key)
    {
        const ulong multiplier = 0x9E3779B97F4A7C15;
        ulong hash = (ulong)key.Length * multiplier;
        while (key.Length >= 8)
        {
            hash = BitOperations.RotateLeft((hash ^ BinaryPrimitives.ReadUInt64LittleEndian(key)) * multiplier, 29);
            key = key[8..];
        }
        ulong tail = 0;
        for (int i = 0; i < key.Length; i++)
        {
            tail |= (ulong)key[i] << (8 * i);
        }
        hash = (hash ^ tail) * multiplier;
        hash ^= hash >> 32;
        hash *= multiplier;
        return hash ^ (hash >> 29);
    }
}
