namespace Challenge.Scoring;

/// <summary>Variable-length rows of integers in two flat arrays: row r is <c>Values[Offsets[r]..Offsets[r + 1]]</c>.</summary>
internal sealed class Ragged(int[] offsets, int[] values)
{
    public int[] Offsets { get; } = offsets;

    public int[] Values { get; } = values;

    public ReadOnlySpan<int> this[int row] => Values.AsSpan(Offsets[row], Offsets[row + 1] - Offsets[row]);

    /// <summary>Collects rows in solution order while a file is read in any order.</summary>
    public sealed class Builder
    {
        private readonly List<int[]?> _rows = [];

        public void Set(int row, ReadOnlySpan<int> values)
        {
            while (_rows.Count <= row)
            {
                _rows.Add(null);
            }
            _rows[row] = values.ToArray();
        }

        /// <summary>Rows never set are empty; <paramref name="rows"/> is the solution's row count.</summary>
        public Ragged Build(int rows)
        {
            while (_rows.Count < rows)
            {
                _rows.Add(null);
            }
            var offsets = new int[rows + 1];
            for (int r = 0; r < rows; r++)
            {
                offsets[r + 1] = offsets[r] + (_rows[r]?.Length ?? 0);
            }
            var values = new int[offsets[^1]];
            for (int r = 0; r < rows; r++)
            {
                _rows[r]?.CopyTo(values, offsets[r]);
            }
            return new Ragged(offsets, values);
        }
    }
}
