namespace Challenge.Core.Storage;

public sealed class ChallengePaths(string dataDirectory)
{
    public string DataDirectory { get; } = Path.GetFullPath(dataDirectory);

    public string DatabaseFile => Path.Combine(DataDirectory, "challenge.db");

    public static ChallengePaths Resolve(string settingsRoot, string configuredDataDirectory) =>
        new(Path.IsPathRooted(configuredDataDirectory)
            ? configuredDataDirectory
            : Path.Combine(settingsRoot, configuredDataDirectory));
}
