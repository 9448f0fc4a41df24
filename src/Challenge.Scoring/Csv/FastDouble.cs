using System.Globalization;

namespace Challenge.Scoring.Csv;

/// <summary>Parses decimal numbers from UTF-8 bytes, with the same result as <see cref="double.Parse(string)"/>.</summary>
internal static class FastDouble
{
    private static readonly double[] s_powersOfTen =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    /// <summary>
    /// Clinger's fast path: when the digits fit in 53 bits and the power of ten is at most 22,
    /// both are exact doubles and one IEEE division or multiplication gives the correctly rounded
    /// value, identical to the general parser. Everything else (long mantissas, big exponents,
    /// NaN, Infinity, odd spellings) goes to the framework's parser.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out double value)
    {
        int i = 0;
        bool negative = false;
        if (text.Length > 0 && (text[0] == (byte)'-' || text[0] == (byte)'+'))
        {
            negative = text[0] == (byte)'-';
            i = 1;
        }
        ulong mantissa = 0;
        int digits = 0;
        int scale = 0;
        int start = i;
        while (i < text.Length && (uint)(text[i] - '0') <= 9)
        {
            mantissa = mantissa * 10 + (uint)(text[i] - '0');
            if (mantissa != 0)
            {
                digits++;
            }
            i++;
        }
        bool sawDigits = i > start;
        if (i < text.Length && text[i] == (byte)'.')
        {
            i++;
            int fractionStart = i;
            while (i < text.Length && (uint)(text[i] - '0') <= 9)
            {
                mantissa = mantissa * 10 + (uint)(text[i] - '0');
                if (mantissa != 0)
                {
                    digits++;
                }
                i++;
            }
            scale = i - fractionStart;
            sawDigits |= scale > 0;
        }
        int exponent = 0;
        if (sawDigits && i < text.Length && (text[i] | 0x20) == (byte)'e')
        {
            int j = i + 1;
            bool negativeExponent = false;
            if (j < text.Length && (text[j] == (byte)'-' || text[j] == (byte)'+'))
            {
                negativeExponent = text[j] == (byte)'-';
                j++;
            }
            int exponentStart = j;
            while (j < text.Length && (uint)(text[j] - '0') <= 9 && j - exponentStart < 6)
            {
                exponent = exponent * 10 + (text[j] - '0');
                j++;
            }
            if (j > exponentStart)
            {
                exponent = negativeExponent ? -exponent : exponent;
                i = j;
            }
        }

        int power = exponent - scale;
        if (sawDigits && i == text.Length && digits <= 15 && power is >= -22 and <= 22)
        {
            double result = mantissa;
            result = power < 0 ? result / s_powersOfTen[-power] : result * s_powersOfTen[power];
            value = negative ? -result : result;
            return true;
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }
}
