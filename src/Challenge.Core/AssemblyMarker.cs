namespace Challenge.Core;

internal static class AssemblyMarker;
