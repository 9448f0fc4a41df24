using Challenge.Benchmarks.Rankings;
using Challenge.Benchmarks.Scoring;

// Usage: dotnet run -c Release --project bench/Challenge.Benchmarks -- scoring [--large-rows N] [--python PATH] [--keep DIR]
//        dotnet run -c Release --project bench/Challenge.Benchmarks -- rank-intervals [--teams 300] [--rows 20000] [--resamples 1000] [--threads 2]
if (args.Length > 0 && args[0] == "rank-intervals")
{
    return RankIntervalBenchmark.Run(args[1..]);
}
if (args.Length == 0 || args[0] != "scoring")
{
    Console.Error.WriteLine("usage: Challenge.Benchmarks scoring [--large-rows N] [--python /usr/bin/python3] [--keep DIR] | rank-intervals [--teams N] [--rows N] [--resamples N] [--threads N]");
    return 1;
}
return ScoringBenchmark.Run(args[1..]);
