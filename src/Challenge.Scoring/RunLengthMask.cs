using System.Buffers.Text;

namespace Challenge.Scoring;

/// <summary>
/// Kaggle's run-length encoding of a binary mask: space-separated pairs "start length", where the
/// pixels are numbered from 1, top to bottom, then left to right (column-major), as in the
/// rle_encode/rle_decode of Kaggle's segmentation competitions. An empty cell is an empty mask.
/// </summary>
internal static class RunLengthMask
{
    /// <summary>
    /// Parses a cell into sorted, disjoint runs stored as (0-based start, length) pairs in
    /// <paramref name="runs"/>. Runs may come in any order and may overlap, as Kaggle's decoder
    /// allows: the mask is their union. Returns null, or the reason the cell is not valid RLE.
    /// </summary>
    public static string? Parse(ReadOnlySpan<byte> cell, long pixelCount, List<int> runs)
    {
        runs.Clear();
        int index = 0;
        long start = 0;
        bool sorted = true;
        long previousEnd = 0;
        foreach (var range in cell.Split((byte)' '))
        {
            var token = cell[range];
            if (token.IsEmpty)
            {
                continue;
            }
            index++;
            if (!Utf8Parser.TryParse(token, out long value, out int consumed) || consumed != token.Length)
            {
                // A garbage cell can be megabytes long: quote only its start.
                string shown = System.Text.Encoding.UTF8.GetString(token[..Math.Min(token.Length, 40)]) + (token.Length > 40 ? "..." : "");
                return $"Number {index} of the run-length encoding, '{shown}', is not a whole number.";
            }
            if (index % 2 == 1)
            {
                if (value < 1 || value > pixelCount)
                {
                    return $"Run {(index + 1) / 2} starts at pixel {value}; pixels are numbered from 1 to {pixelCount} (width × height).";
                }
                start = value;
                continue;
            }
            if (value < 1)
            {
                return $"Run {index / 2} has length {value}; a run is at least 1 pixel long.";
            }
            if (value > pixelCount - (start - 1))
            {
                return $"Run {index / 2} (start {start}, length {value}) goes past the last pixel, {pixelCount} (width × height).";
            }
            sorted &= start - 1 >= previousEnd;
            previousEnd = start - 1 + value;
            runs.Add((int)(start - 1));
            runs.Add((int)value);
        }
        if (index % 2 == 1)
        {
            return $"The run-length encoding has an odd count of numbers ({index}); it must be pairs of start and length.";
        }
        if (!sorted)
        {
            Normalise(runs);
        }
        return null;
    }

    /// <summary>Sorts runs by start and merges overlapping or touching ones.</summary>
    private static void Normalise(List<int> runs)
    {
        var pairs = new (int Start, int Length)[runs.Count / 2];
        for (int i = 0; i < pairs.Length; i++)
        {
            pairs[i] = (runs[2 * i], runs[2 * i + 1]);
        }
        Array.Sort(pairs);
        runs.Clear();
        foreach (var (start, length) in pairs)
        {
            int last = runs.Count - 2;
            if (last >= 0 && start <= runs[last] + runs[last + 1])
            {
                runs[last + 1] = Math.Max(runs[last + 1], start + length - runs[last]);
            }
            else
            {
                runs.Add(start);
                runs.Add(length);
            }
        }
    }

    /// <summary>Pixels in a mask given as sorted disjoint runs.</summary>
    public static long Area(ReadOnlySpan<int> runs)
    {
        long area = 0;
        for (int i = 1; i < runs.Length; i += 2)
        {
            area += runs[i];
        }
        return area;
    }

    /// <summary>Pixels in both masks, by one merge of the two sorted run lists.</summary>
    public static long Intersection(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        long shared = 0;
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            long aStart = a[i], aEnd = aStart + a[i + 1];
            long bStart = b[j], bEnd = bStart + b[j + 1];
            long overlap = Math.Min(aEnd, bEnd) - Math.Max(aStart, bStart);
            if (overlap > 0)
            {
                shared += overlap;
            }
            if (aEnd <= bEnd)
            {
                i += 2;
            }
            else
            {
                j += 2;
            }
        }
        return shared;
    }
}
