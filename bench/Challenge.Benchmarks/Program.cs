using Challenge.Benchmarks.Scoring;

// Usage: dotnet run -c Release --project bench/Challenge.Benchmarks -- scoring [--large-rows N] [--python PATH] [--keep DIR]
if (args.Length == 0 || args[0] != "scoring")
{
    Console.Error.WriteLine("usage: Challenge.Benchmarks scoring [--large-rows N] [--python /usr/bin/python3] [--keep DIR]");
    return 1;
}
return ScoringBenchmark.Run(args[1..]);
