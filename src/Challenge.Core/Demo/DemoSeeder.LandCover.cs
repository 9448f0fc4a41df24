using System.Text;
using Challenge.Core.Tasks;

namespace Challenge.Core.Demo;

// Case 1, the EuroSAT hackathon: 64×64 RGB tiles of 10 land-cover classes, very few labels.
public sealed partial class DemoSeeder
{
    public const int TestImages = 2_000;

    public static readonly string[] Classes =
        ["AnnualCrop", "Forest", "HerbaceousVegetation", "Highway", "Industrial", "Pasture", "PermanentCrop", "Residential", "River", "SeaLake"];

    // Team name, accuracies of its successive submissions (the best teams end above the server's
    // baselines, as the winners of the real event did).
    private static readonly (string Team, double[] Accuracies)[] LandCoverHistory =
    [
        ("Pseudo-Labellers", [0.62, 0.74, 0.83, 0.89, 0.93, 0.95]),
        ("SimCLR Squad", [0.55, 0.72, 0.84, 0.90, 0.94]),
        ("Cluster & Conquer", [0.58, 0.66, 0.74, 0.79]),
        ("Transfer Learners", [0.72, 0.84, 0.89, 0.915]),
        ("Random Forest Rangers", [0.51, 0.57, 0.61]),
        ("Late Joiners", [0.68]),
    ];

    private async Task SeedLandCoverAsync(DemoWorld world, CancellationToken cancellationToken)
    {
        var (perClass, unlabelledCount, validCount, testCount) = (Scaled(50, 3), Scaled(2_000, 20), Scaled(1_500, 20), Scaled(TestImages, 40));
        var competition = await ChallengeAsync(world, DemoSlug, "EuroSAT land cover from few labels",
            "Classify 64×64 Sentinel-2 tiles into 10 land-cover classes with only 50 labelled images per class.",
            LandCoverOverview, string.Format(System.Globalization.CultureInfo.InvariantCulture, LandCoverData, perClass * Classes.Length, unlabelledCount, validCount, testCount),
            LandCoverEvaluation, LandCoverRules, cancellationToken);
        var task = await TaskAsync(world, competition, new TaskInput
        {
            Slug = DemoTaskSlug, Title = "Land cover", Metric = "accuracy", BootstrapEnabled = true, Classes = string.Join("\n", Classes), SplitSeed = 2026,
        }, cancellationToken);

        var random = new Random(1001);
        (List<(string File, byte[] Png)> Images, List<string> Labels) Draw(int count, Func<int, int> classOf)
        {
            var images = new List<(string, byte[])>(count);
            var labels = new List<string>(count);
            for (var i = 0; i < count; i++)
            {
                var label = classOf(i);
                images.Add((ImageName(i), DrawLandCover(label, random).ToPng()));
                labels.Add(Classes[label]);
            }
            return (images, labels);
        }

        var train = Draw(perClass * Classes.Length, i => i % Classes.Length);
        var unlabelled = Draw(unlabelledCount, _ => random.Next(Classes.Length));
        var valid = Draw(validCount, i => i % Classes.Length);
        var test = Draw(testCount, _ => random.Next(Classes.Length));

        var trainId = await DataFileAsync(world, competition, "eurosat_train.zip", ImageZip(train.Images, LabelsCsv(train)),
            $"{train.Images.Count:N0} labelled tiles (PNG) and labels.csv (file,label).", cancellationToken);
        var unlabelledId = await DataFileAsync(world, competition, "eurosat_unsup.zip", ImageZip(unlabelled.Images, null),
            $"{unlabelled.Images.Count:N0} unlabelled tiles (PNG), for pseudo-labelling, clustering or self-supervision.", cancellationToken);
        await DataFileAsync(world, competition, "eurosat_valid.zip", ImageZip(valid.Images, LabelsCsv(valid)),
            $"{valid.Images.Count:N0} labelled tiles for validation only: training on them is forbidden (see the Rules).", cancellationToken);
        var testId = await DataFileAsync(world, competition, "test.zip", ImageZip(test.Images, FilesCsv(test.Images.Count)),
            $"{test.Images.Count:N0} tiles to classify; labels.csv lists them in Id order (Id = row number from 0).", cancellationToken);
        await DataFileAsync(world, competition, "sampleSubmission.csv", Encoding.UTF8.GetBytes(SolutionCsv(test.Labels.Select(_ => Classes[0]).ToList())),
            "A valid submission in the expected format (every tile AnnualCrop).", cancellationToken);
        await SolutionAsync(world, task, SolutionCsv(test.Labels), cancellationToken);

        for (var t = 0; t < LandCoverHistory.Length; t++)
        {
            var (name, accuracies) = LandCoverHistory[t];
            var team = await TeamAsync(world, competition, name, cancellationToken);
            for (var k = 0; k < accuracies.Length; k++)
            {
                await SubmitAsync(world, task, team, $"attempt-{k + 1}.csv", LabelPredictions(test.Labels, Classes, accuracies[k], 100 * t + k), "",
                    SubmittedAt(world, t, k, accuracies.Length), cancellationToken);
            }
        }

        await BaselineAsync(world, competition, task, "softmax", 20, trainId, testId, null, cancellationToken);
        await BaselineAsync(world, competition, task, "cnn", 6, trainId, testId, null, cancellationToken);
        await BaselineAsync(world, competition, task, "pseudo", 5, trainId, testId, unlabelledId, cancellationToken);
    }

    private static string LabelsCsv((List<(string File, byte[] Png)> Images, List<string> Labels) set)
    {
        var csv = new StringBuilder("file,label\n");
        for (var i = 0; i < set.Images.Count; i++)
        {
            csv.Append(set.Images[i].File).Append(',').Append(set.Labels[i]).Append('\n');
        }
        return csv.ToString();
    }

    private static string FilesCsv(int count) =>
        "file\n" + string.Concat(Enumerable.Range(0, count).Select(i => ImageName(i) + "\n"));

    // Each class has its colours, texture and shapes; light, colour cast and noise vary per tile.
    internal static DemoCanvas DrawLandCover(int label, Random random)
    {
        var canvas = new DemoCanvas(64, 64);
        int Jitter(int value, int by) => value + random.Next(-by, by + 1);
        (int, int, int) Colour(int r, int g, int b, int by = 12) => (Jitter(r, by), Jitter(g, by), Jitter(b, by));
        switch (label)
        {
            case 0: // AnnualCrop: parallel strips of fields, green and brown
                canvas.Fill(Colour(150, 120, 80));
                canvas.Stripes(random.Next(2) * Math.PI / 2 + (random.NextDouble() - 0.5) * 0.3, random.Next(8, 14), 0.5, Colour(110, 160, 70));
                break;
            case 1: // Forest: dark canopy, blotchy
                canvas.Fill(Colour(30, 70, 35));
                for (var i = 0; i < 40; i++)
                {
                    canvas.Ellipse(random.Next(64), random.Next(64), random.Next(2, 5), random.Next(2, 5), Colour(20, 55, 25));
                }
                break;
            case 2: // HerbaceousVegetation: yellow-green with scattered light patches
                canvas.Fill(Colour(120, 140, 70));
                for (var i = 0; i < 12; i++)
                {
                    canvas.Ellipse(random.Next(64), random.Next(64), random.Next(3, 8), random.Next(3, 8), Colour(150, 155, 90));
                }
                break;
            case 3: // Highway: one grey road across vegetation
                canvas.Fill(Colour(100, 125, 80));
                canvas.Band(random.Next(16, 48), random.Next(16, 48), random.NextDouble() * Math.PI, random.Next(4, 7), Colour(150, 150, 150, 8));
                break;
            case 4: // Industrial: large bright roofs on grey
                canvas.Fill(Colour(120, 118, 115));
                for (var i = 0; i < 5; i++)
                {
                    canvas.Rect(random.Next(-5, 55), random.Next(-5, 55), random.Next(12, 24), random.Next(10, 20), Colour(205, 205, 210, 15));
                }
                break;
            case 5: // Pasture: even light green
                canvas.Fill(Colour(110, 170, 85));
                break;
            case 6: // PermanentCrop: orchard rows of dots on soil
                {
                    canvas.Fill(Colour(140, 115, 85));
                    var (step, offset) = (random.Next(6, 9), random.Next(0, 4));
                    for (var y = offset; y < 64; y += step)
                    {
                        for (var x = offset; x < 64; x += step)
                        {
                            canvas.Ellipse(x, y, 2, 2, Colour(60, 110, 45, 6));
                        }
                    }
                    break;
                }
            case 7: // Residential: grid of small red roofs between grey streets
                {
                    canvas.Fill(Colour(125, 135, 115));
                    var step = random.Next(9, 12);
                    for (var y = random.Next(3); y < 64; y += step)
                    {
                        for (var x = random.Next(3); x < 64; x += step)
                        {
                            canvas.Rect(x, y, step - 4, step - 4, Colour(175, 85, 70, 20));
                        }
                    }
                    break;
                }
            case 8: // River: a blue band winding through green
                {
                    canvas.Fill(Colour(90, 130, 75));
                    var (angle, x0, y0) = (random.NextDouble() * Math.PI, random.Next(20, 44), random.Next(20, 44));
                    canvas.Band(x0, y0, angle, random.Next(6, 11), Colour(45, 75, 120, 8));
                    canvas.Band(x0 + 3, y0 + 3, angle + 0.25, random.Next(4, 7), Colour(45, 75, 120, 8));
                    break;
                }
            default: // SeaLake: calm deep blue, sometimes a shore in a corner
                canvas.Fill(Colour(25, 50, 95));
                if (random.Next(3) == 0)
                {
                    canvas.Ellipse(random.Next(2) * 64, random.Next(2) * 64, random.Next(10, 24), random.Next(10, 24), Colour(110, 130, 80));
                }
                break;
        }
        canvas.Tint(0.85 + random.NextDouble() * 0.3, random.Next(-10, 11), random.Next(-10, 11), random.Next(-10, 11));
        canvas.Noise(random, 12);
        return canvas;
    }

    private const string LandCoverOverview = """
        ## Land cover from very few labels

        Each image is a 64×64 RGB tile from the Sentinel-2 satellites. Predict its land-cover class:

        | Id | Class | Id | Class |
        |---:|---|---:|---|
        | 0 | AnnualCrop | 5 | Pasture |
        | 1 | Forest | 6 | PermanentCrop |
        | 2 | HerbaceousVegetation | 7 | Residential |
        | 3 | Highway | 8 | River |
        | 4 | Industrial | 9 | SeaLake |

        The catch: only 50 labelled tiles per class. The point of the event is to get the best
        classifier from very few labels by using the unlabelled tiles: pseudo-labelling,
        self-supervision, clustering, transfer learning are all welcome.

        Three baselines run on this server (softmax regression, a small CNN and a CNN with
        pseudo-labels on the unlabelled set); their rows appear on the leaderboard when a worker
        has trained them.
        """;

    private const string LandCoverData = """
        ## Files

        * `eurosat_train.zip`: {0:N0} labelled tiles, `labels.csv` with `file,label`
        * `eurosat_unsup.zip`: {1:N0} unlabelled tiles
        * `eurosat_valid.zip`: {2:N0} labelled tiles, **for validation only** (training on them is forbidden)
        * `test.zip`: {3:N0} tiles to classify; `labels.csv` lists them in `Id` order
        * `sampleSubmission.csv`: a valid submission

        All images are 64×64 PNG, RGB, values 0–255. The original event shipped NumPy `.npz` arrays;
        the baseline worker and `challenge train` read these zips directly.

        ## Submission format

        A CSV with a header `Id,Category`: `Id` is the tile's number in `test.zip` (from 0) and
        `Category` the class name. One row per test tile, no duplicate Ids.
        """;

    private const string LandCoverEvaluation = """
        Submissions are scored by **accuracy**: the share of the test tiles whose class is right.
        The classes are balanced, so accuracy is a fair summary here.

        About 30% of the test tiles decide the public leaderboard while the challenge runs; the other
        70% decide the final ranking, revealed after the deadline. The leaderboard shows a bootstrap
        interval beside each score: two teams whose intervals overlap are not clearly apart.
        """;

    private const string LandCoverRules = """
        * Train only on `eurosat_train.zip` and the unlabelled tiles.
        * `eurosat_valid.zip` is **not for training**: use it only to validate your models.
        * No hand-labelling of test tiles.
        * Pretrained weights are allowed if they are public and named in your write-up.
        * Share code publicly only after the end.
        """;
}
