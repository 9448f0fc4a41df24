using System.IO.Compression;
using System.Text;

namespace Challenge.Web.Tests.Hostile;

// The hostile-input corpus: the committed files under tests/fixtures/hostile (made by
// make_hostile.py there, described in its README) and the big ones generated here. Each case is
// one line, so adding a file or an upload route adds one line.
public static class HostileCorpus
{
    public static string Folder { get; } = FindFolder();

    public static byte[] Bytes(string relative) => File.ReadAllBytes(Path.Combine(Folder, relative));

    // A CSV upload the scorer must reject, with the line (and column, where one applies) that its
    // first error names and a fragment of that error's message. AlsoBadSolution: whether the file is
    // wrong as a solution too (a solution defines the classes, so an unknown label is no error there).
    public sealed record CsvCase(string File, int? Line, int? Column, string Message, bool AlsoBadSolution = true);

    public static readonly IReadOnlyList<CsvCase> CsvCases =
    [
        new("csv/ragged-row.csv", 4, null, "Expected 2 columns"),
        new("csv/unterminated-quote.csv", 6, null, "never closed"),
        new("csv/stray-quote.csv", 5, null, "quote appears inside an unquoted field"),
        new("csv/nul-byte.csv", 7, null, "NUL"),
        new("csv/empty.csv", 1, null, "empty"),
        new("csv/header-only.csv", null, null, "no predictions"),
        new("csv/wrong-header.csv", 1, null, "Missing column 'Id'"),
        new("csv/duplicate-id.csv", 11, 1, "appears more than once"),
        new("csv/unknown-label-script.csv", 9, 2, "Unknown class", AlsoBadSolution: false),
        new("csv/formula-id.csv", 10, 1, "is not in the solution", AlsoBadSolution: false),
        new("csv/binary-garbage.csv", 2, null, "NUL"),
        new("csv/utf16le-bom.csv", 1, null, "UTF-16"),
        new("csv/utf16be-bom.csv", 1, null, "UTF-16"),
        new("csv/utf16le-no-bom.csv", 1, null, "UTF-16"),
        new("csv/utf32le-bom.csv", 1, null, "UTF-32"),
        new("csv/utf32be-bom.csv", 1, null, "UTF-32"),
        new("csv/latin1-byte.csv", 13, null, "not UTF-8"),
        new("csv/bom-mid-file.csv", 16, 1, "byte-order mark"),
        new("zip/small-bomb.zip", 1, null, "ZIP archive"),
        new("zip/traversal.zip", 1, null, "ZIP archive"),
        new("xml/billion-laughs.xml", 1, null, ""),
        new("xml/external-entity.xml", 1, null, ""),
        new(Generated.HugeLine, 2, 2, "Unknown class", AlsoBadSolution: false),
    ];

    // Archives and XML refused by the safe readers, with the entry their error must name.
    // MaxEntries: a lower entry limit for the one case that would otherwise need a 500,000-entry file.
    // EntryPrefix: the entry is named by its start only, where the refusal falls on whichever entry crosses a total.
    public sealed record ArchiveCase(string File, string Entry, string Message, int? MaxEntries = null, bool EntryPrefix = false);

    public static readonly IReadOnlyList<ArchiveCase> ArchiveCases =
    [
        new("zip/traversal.zip", "traversal.zip/../../evil.txt", "'..'"),
        new("zip/backslash-traversal.zip", "backslash-traversal.zip/..\\evil.txt", "'..'"),
        new("zip/absolute-path.zip", "absolute-path.zip//etc/cron.d/evil", "absolute paths"),
        new("zip/drive-letter.zip", "drive-letter.zip/C:/Windows/evil.txt", "absolute paths"),
        new("zip/control-char-name.zip", "control-char-name.zip/labels/a\u0001.txt", "control characters"),
        new("zip/small-bomb.zip", "small-bomb.zip/labels/cam0001.txt", "zip bomb"),
        new("zip/truncated.zip", "truncated.zip", "not a readable zip archive"),
        new(Generated.GigabyteBomb, "gigabyte-bomb.zip/labels/zeros.txt", "zip bomb"),
        new(Generated.TooManyEntries, "too-many-entries.zip", "1001 entries; at most 1000", MaxEntries: 1000),
        new("xml/billion-laughs.xml", "billion-laughs.xml", "DTD"),
        new("xml/external-entity.xml", "external-entity.xml", "DTD"),
        new("xml/external-dtd.xml", "external-dtd.xml", "DTD"),
        new("xml/parameter-entity.xml", "parameter-entity.xml", "DTD"),
        new(Generated.ManySmallZeros, "many-small-zeros.zip/labels/zeros", "in all", EntryPrefix: true),
        new("zip/deep-yaml.zip", "deep-yaml.zip/data.yaml", "nests deeper"),
        new(Generated.DeepXml, "deep-nesting.xml", "deeper than 64 levels"),
        new("json/huge-number.json", "huge-number.json", "the number 1e400 is out of range"),
    ];

    public static byte[] Load(string file) => Generated.All.TryGetValue(file, out var make) ? make() : Bytes(file);

    // Files too big to commit, built on demand.
    public static class Generated
    {
        public const string HugeLine = "generated/huge-line.csv";
        public const string Oversized = "generated/oversized.csv";
        public const string GigabyteBomb = "generated/gigabyte-bomb.zip";
        public const string TooManyEntries = "generated/too-many-entries.zip";
        public const string ManySmallZeros = "generated/many-small-zeros.zip";
        public const string DeepXml = "generated/deep-nesting.xml";

        // Just over the task's 1 MiB limit.
        public const int OversizedBytes = (1 << 20) + 1;

        // One entry of 1 GiB of zeros: about 1 MB compressed, deflated once per test run.
        private static readonly Lazy<byte[]> s_bomb = new(() =>
        {
            var output = new MemoryStream();
            using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
            {
                using var entry = zip.CreateEntry("labels/zeros.txt", CompressionLevel.SmallestSize).Open();
                var zeros = new byte[1 << 20];
                for (var i = 0; i < 1024; i++)
                {
                    entry.Write(zeros);
                }
            }
            return output.ToArray();
        });

        public static readonly IReadOnlyDictionary<string, Func<byte[]>> All = new Dictionary<string, Func<byte[]>>
        {
            // One 900 KB line (under the size limit) where the first prediction belongs.
            [HugeLine] = () => Encoding.UTF8.GetBytes("Id,Category\n0," + new string('x', 900_000) + "\n1,reef\n"),
            [Oversized] = () => Encoding.UTF8.GetBytes("Id,Category\n" + new string('9', OversizedBytes)),
            [GigabyteBomb] = () => s_bomb.Value,
            [TooManyEntries] = () => Zip(Enumerable.Range(0, 1001).Select(i => ($"labels/{i}.txt", Array.Empty<byte>()))),
            // 1,000 entries of 64 KB less a byte of zeros, each under the per-entry ratio check: 61 MB from about 180 KB.
            [ManySmallZeros] = () => Zip(Enumerable.Range(0, 1000).Select(i => ($"labels/zeros{i:0000}.txt", new byte[64 * 1024 - 1])), CompressionLevel.SmallestSize),
            // Elements nested 100,000 deep in 700 KB: building the tree costs time that grows faster than the file.
            [DeepXml] = () => Encoding.UTF8.GetBytes("<annotations>" + string.Concat(Enumerable.Repeat("<a>", 100_000)) + string.Concat(Enumerable.Repeat("</a>", 100_000)) + "</annotations>"),
        };

        private static byte[] Zip(IEnumerable<(string Name, byte[] Content)> entries, CompressionLevel level = CompressionLevel.NoCompression)
        {
            var output = new MemoryStream();
            using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
            {
                foreach (var (name, content) in entries)
                {
                    using var stream = zip.CreateEntry(name, level).Open();
                    stream.Write(content);
                }
            }
            return output.ToArray();
        }
    }

    private static string FindFolder()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "fixtures", "hostile");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException("tests/fixtures/hostile was not found above " + AppContext.BaseDirectory);
    }
}
