namespace Challenge.Scoring;

internal static class AssemblyMarker;
