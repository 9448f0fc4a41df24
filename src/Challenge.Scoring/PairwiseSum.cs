namespace Challenge.Scoring;

/// <summary>NumPy's pairwise summation, step for step, so sums match the Python reference exactly.</summary>
internal static class PairwiseSum
{
    private const int BlockSize = 128;

    public static double Of(ReadOnlySpan<double> values)
    {
        int n = values.Length;
        if (n < 8)
        {
            double sum = 0;
            foreach (double value in values)
            {
                sum += value;
            }
            return sum;
        }
        if (n <= BlockSize)
        {
            Span<double> r = stackalloc double[8];
            values[..8].CopyTo(r);
            int i = 8;
            for (; i < n - (n % 8); i += 8)
            {
                for (int j = 0; j < 8; j++)
                {
                    r[j] += values[i + j];
                }
            }
            double result = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++)
            {
                result += values[i];
            }
            return result;
        }
        int half = n / 2;
        half -= half % 8;
        return Of(values[..half]) + Of(values[half..]);
    }
}
