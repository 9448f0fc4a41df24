using Challenge.Annotations.Safety;

namespace Challenge.Core.Bundles;

/// <summary>One problem with a bundle: the file, line and key at fault, as a CSV error names its line and column.</summary>
public sealed record BundleError(string File, int? Line, string? Key, string Message)
{
    public override string ToString() => $"{File}{(Line is { } line ? $":{line}" : "")}: {(Key is null ? "" : $"{Key}: ")}{Message}";
}

/// <summary>
/// The files of a bundle by relative path ("/" separated), read whole: from a zip through the safe
/// zip reader (no "..", no absolute names, sizes counted while expanding), or from a folder.
/// A zip whose files all sit in one top folder is read as that folder.
/// </summary>
public sealed class BundleFiles
{
    /// <summary>A bundle is read into memory; its data files are bounded together by this.</summary>
    public const long MaxBundleBytes = 1L << 30;

    private readonly Dictionary<string, byte[]> _files;

    private BundleFiles(Dictionary<string, byte[]> files) => _files = files;

    public IEnumerable<string> Paths => _files.Keys;

    public bool Contains(string path) => _files.ContainsKey(Normalize(path));

    public byte[] Read(string path) => _files[Normalize(path)];

    public static BundleFiles FromFiles(IEnumerable<KeyValuePair<string, byte[]>> files) =>
        new(StripCommonFolder(files.ToDictionary(f => Normalize(f.Key), f => f.Value, StringComparer.Ordinal)));

    public static (BundleFiles? Files, BundleError? Error) FromZip(byte[] archive, string archiveName)
    {
        if (!SafeZip.LooksLikeZip(archive))
        {
            return (null, new BundleError(archiveName, null, null, "this is not a zip archive; send the bundle's folder zipped, with challenge.yaml (or competition.yaml) at its top."));
        }
        var read = SafeZip.Read(archive, archiveName, new ZipLimits { MaxEntries = 10_000, MaxTotalBytes = MaxBundleBytes, MaxEntryBytes = MaxBundleBytes });
        if (read.Value is not { } entries)
        {
            var first = read.Errors[0];
            return (null, new BundleError(first.Entry, first.Line, null, first.Message));
        }
        return (FromFiles(entries.Where(e => !e.Name.EndsWith('/')).Select(e => KeyValuePair.Create(e.Name, e.Content))), null);
    }

    public static BundleFiles FromDirectory(string directory) =>
        FromFiles(Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Select(path => KeyValuePair.Create(Path.GetRelativePath(directory, path), File.ReadAllBytes(path))));

    private static string Normalize(string path) => path.Replace('\\', '/').TrimStart('.', '/');

    private static Dictionary<string, byte[]> StripCommonFolder(Dictionary<string, byte[]> files)
    {
        if (files.Count == 0 || files.Keys.Any(k => k is "challenge.yaml" or "competition.yaml" or "competition.yml"))
        {
            return files;
        }
        var tops = files.Keys.Select(k => k.Split('/')[0]).Distinct().ToList();
        if (tops.Count != 1 || files.Keys.Any(k => !k.Contains('/')))
        {
            return files;
        }
        var prefix = tops[0] + "/";
        return files.ToDictionary(f => f.Key[prefix.Length..], f => f.Value, StringComparer.Ordinal);
    }
}
