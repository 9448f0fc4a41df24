namespace Challenge.Web.Tests.Bundles;

/// <summary>
/// A bundle written the way Codabench documents its competition.yaml (version 2): pages, terms,
/// two phases, one task with a scoring program and reference data, a leaderboard, a Docker image.
/// </summary>
internal static class CodabenchBundle
{
    public const string Yaml = """
        version: 2
        title: Coral Reef Watch
        description: Find the bleached reefs in survey photographs.
        image: logo.png
        registration_auto_approve: true
        docker_image: codalab/codalab-legacy:py39
        terms: pages/terms.md
        pages:
          - title: Overview
            file: pages/overview.md
          - title: Evaluation
            file: pages/evaluation.md
          - title: FAQ
            file: pages/faq.md
        phases:
          - index: 0
            name: Development
            description: Tune on the public split.
            start: 2026-01-10
            end: 2026-04-30
            max_submissions_per_day: 5
            max_submissions: 100
            execution_time_limit: 600
            tasks:
              - 0
          - index: 1
            name: Final
            description: One last run.
            start: 2026-05-01
            end: 2026-06-30
            max_submissions_per_day: 3
            tasks:
              - 0
        tasks:
          - index: 0
            name: Reef state
            description: Classify each photograph.
            is_public: false
            input_data: input_data/
            reference_data: reference_data.zip
            scoring_program: scoring_program/
        leaderboards:
          - index: 0
            title: Results
            key: main
            submission_rule: Force_Last
            columns:
              - title: Accuracy
                key: accuracy
                index: 0
                sorting: desc
        """;

    public static void Write(string folder)
    {
        foreach (var sub in new[] { "pages", "scoring_program", "input_data" })
        {
            Directory.CreateDirectory(Path.Combine(folder, sub));
        }
        File.WriteAllText(Path.Combine(folder, "competition.yaml"), Yaml.Replace("\r\n", "\n", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(folder, "pages", "overview.md"), "# Coral Reef Watch\n\nFind the bleached reefs.\n");
        File.WriteAllText(Path.Combine(folder, "pages", "evaluation.md"), "Macro-averaged accuracy over the reef states.\n");
        File.WriteAllText(Path.Combine(folder, "pages", "faq.md"), "Ask on the forum.\n");
        File.WriteAllText(Path.Combine(folder, "pages", "terms.md"), "No external data.\n");
        // As Codabench's own examples ship it: the reference data zipped inside the bundle.
        using (var zip = System.IO.Compression.ZipFile.Open(Path.Combine(folder, "reference_data.zip"), System.IO.Compression.ZipArchiveMode.Create))
        using (var writer = new StreamWriter(zip.CreateEntry("truth.csv").Open()))
        {
            writer.Write("image_id,state\nr1,healthy\nr2,bleached\nr3,healthy\nr4,dead\n");
        }
        File.WriteAllText(Path.Combine(folder, "scoring_program", "score.py"), "print('score')\n");
        File.WriteAllText(Path.Combine(folder, "scoring_program", "metadata.yaml"), "command: python3 score.py\n");
        File.WriteAllText(Path.Combine(folder, "input_data", "r1.jpg"), "not an image");
    }
}
