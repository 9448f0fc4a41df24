using System.Diagnostics;
using Challenge.Scoring.Csv;
using CsvHelper;

namespace Challenge.Benchmarks.Scoring;

/// <summary>
/// Raw CSV reading only (every field of every record touched as UTF-8 bytes, nothing validated):
/// the scorer's own reader against CsvHelper 34's span API on the same files, so the choice of
/// reader for the hot path rests on a measurement.
/// </summary>
internal static class ParserComparison
{
    private const int Repeats = 3;

    public static void Run(IEnumerable<string> files)
    {
        Console.WriteLine();
        Console.WriteLine("Raw CSV reading, every field as UTF-8 bytes, best of 3:");
        Console.WriteLine($"{"file",-36} {"MB",7} {"Utf8CsvReader ms",17} {"CsvHelper ms",13} {"ratio",7}");
        foreach (string file in files)
        {
            double ours = Best(() => ReadWithOwnReader(file), out long ourBytes);
            double theirs = Best(() => ReadWithCsvHelper(file), out long theirBytes);
            if (ourBytes != theirBytes)
            {
                throw new InvalidOperationException($"the readers disagree on {file}: {ourBytes} vs {theirBytes} field bytes");
            }
            Console.WriteLine(FormattableString.Invariant(
                $"{Path.GetFileName(file),-36} {new FileInfo(file).Length / 1048576.0,7:0.0} {ours * 1000,17:0} {theirs * 1000,13:0} {theirs / ours,6:0.00}x"));
        }
    }

    private static double Best(Func<long> read, out long fieldBytes)
    {
        double best = double.MaxValue;
        fieldBytes = 0;
        for (int run = 0; run < Repeats; run++)
        {
            GC.Collect();
            var watch = Stopwatch.StartNew();
            fieldBytes = read();
            best = Math.Min(best, watch.Elapsed.TotalSeconds);
        }
        return best;
    }

    private static long ReadWithOwnReader(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var reader = new Utf8CsvReader(stream, long.MaxValue);
        long total = 0;
        while (reader.Read() == CsvReadStatus.Record)
        {
            for (int i = 0; i < reader.FieldCount; i++)
            {
                total += reader.Field(i).Length;
            }
        }
        return total;
    }

    private static long ReadWithCsvHelper(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        using var reader = CsvReader.Create(stream, new CsvReaderOptions { HasHeader = false }, leaveOpen: false);
        long total = 0;
        while (reader.Read())
        {
            for (int i = 0; i < reader.FieldCount; i++)
            {
                total += reader.GetSpan(i).Length;
            }
        }
        return total;
    }
}
