namespace Challenge.Ml;

internal static class AssemblyMarker;
