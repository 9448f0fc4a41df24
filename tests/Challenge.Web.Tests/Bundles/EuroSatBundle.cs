using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Challenge.Web.Tests.Bundles;

/// <summary>
/// A bundle shaped like the EuroSAT case: four pages, one land-cover task with its hidden
/// solution, and one data file, written to a folder that each test may spoil on purpose.
/// </summary>
internal static class EuroSatBundle
{
    public static readonly string[] Classes = ["AnnualCrop", "Forest", "HerbaceousVegetation", "Highway", "Industrial", "Pasture", "PermanentCrop", "Residential", "River", "SeaLake"];
    public const int Rows = 60;

    public static string Truth(int row) => Classes[(row * 7 + row / 5) % Classes.Length];

    public static string SolutionCsv()
    {
        var csv = new StringBuilder("Id,Category\n");
        for (var row = 0; row < Rows; row++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{row},{Truth(row)}\n");
        }
        return csv.ToString();
    }

    public static string PerfectCsv() => SolutionCsv();

    public static string Manifest(string slug = "eurosat") => $"""
        schema: 1
        slug: {slug}
        title: "EuroSAT: land cover from Sentinel-2"
        subtitle: Ten classes of 64x64 patches
        starts_at: {DateTime.UtcNow.AddDays(-1):yyyy-MM-dd}T00:00:00Z
        ends_at: {DateTime.UtcNow.AddDays(30):yyyy-MM-dd}T12:30:00Z
        limits:
          daily_submissions: 10
          final_selections: 3
          team_size: 4
        pages:
          overview: pages/overview.md
          data: pages/data.md
          evaluation: pages/evaluation.md
          rules: pages/rules.md
        tasks:
          - slug: land-cover
            title: Land cover
            kind: label
            metric: accuracy
            id_column: Id
            target_column: Category
            public_share: 0.5
            seed: 7
            classes: [AnnualCrop, Forest, HerbaceousVegetation, Highway, Industrial, Pasture, PermanentCrop, Residential, River, SeaLake]
            solution: solutions/land-cover.csv
        data:
          - file: data/train.csv
            description: Labelled training patches
        """.Replace("\r\n", "\n", StringComparison.Ordinal);

    public static string Write(string folder, string? manifest = null)
    {
        Directory.CreateDirectory(Path.Combine(folder, "pages"));
        Directory.CreateDirectory(Path.Combine(folder, "solutions"));
        Directory.CreateDirectory(Path.Combine(folder, "data"));
        File.WriteAllText(Path.Combine(folder, "challenge.yaml"), manifest ?? Manifest());
        File.WriteAllText(Path.Combine(folder, "pages", "overview.md"), "# EuroSAT\n\nClassify each patch into one of ten land covers.\n");
        File.WriteAllText(Path.Combine(folder, "pages", "data.md"), "train.csv lists the patches with their class.\n");
        File.WriteAllText(Path.Combine(folder, "pages", "evaluation.md"), "Accuracy on the hidden labels.\n");
        File.WriteAllText(Path.Combine(folder, "pages", "rules.md"), "One account per person.\n");
        File.WriteAllText(Path.Combine(folder, "solutions", "land-cover.csv"), SolutionCsv());
        File.WriteAllText(Path.Combine(folder, "data", "train.csv"), "Id,Category\n1000,Forest\n1001,River\n");
        return folder;
    }

    public static byte[] Zip(string folder)
    {
        var buffer = new MemoryStream();
        ZipFile.CreateFromDirectory(folder, buffer, CompressionLevel.Fastest, includeBaseDirectory: false);
        return buffer.ToArray();
    }

    /// <summary>The 1-based line of the manifest that contains <paramref name="text"/>.</summary>
    public static int LineOf(string manifest, string text) => Array.FindIndex(manifest.Split('\n'), l => l.Contains(text, StringComparison.Ordinal)) + 1;
}
