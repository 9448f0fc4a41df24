namespace Challenge.Annotations;

internal static class AssemblyMarker;
