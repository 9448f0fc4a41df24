using System.Globalization;
using System.Text;
using Challenge.Core.Tasks;
using Challenge.Scoring;

namespace Challenge.Core.Demo;

// Case 3, the plankton bowl and EcoTaxa: 121 classes along a taxonomy, a probability per class,
// multiclass log loss; a second task scores plain labels along the taxonomy (hierarchical F1).
public sealed partial class DemoSeeder
{
    public const string PlanktonSlug = "plankton-121";

    // Group, its parent, the name stem of its classes, and how many classes it has (121 in all).
    private static readonly (string Group, string Parent, string Stem, int Count)[] PlanktonGroups =
    [
        ("Copepoda", "Crustacea", "copepod", 14),
        ("Decapoda", "Crustacea", "decapod", 10),
        ("Amphipoda", "Crustacea", "amphipod", 6),
        ("Chaetognatha", "Animalia", "chaetognath", 8),
        ("Appendicularia", "Tunicata", "appendicularian", 8),
        ("Salpida", "Tunicata", "salp", 8),
        ("Hydromedusae", "Cnidaria", "hydromedusa", 14),
        ("Siphonophorae", "Cnidaria", "siphonophore", 10),
        ("Ctenophora", "Animalia", "ctenophore", 7),
        ("Fish_larvae", "Chordata", "fish_larva", 8),
        ("Echinodermata_larvae", "Animalia", "echinoderm_larva", 6),
        ("Bacillariophyta", "Protista", "diatom", 8),
        ("Radiolaria", "Protista", "radiolarian", 6),
        ("Detritus", "Non_living", "detritus", 8),
    ];

    private static readonly string[] PlanktonTraits =
        ["calanoid", "cyclopoid", "small", "large", "elongated", "round", "spiny", "colonial", "juvenile", "adult", "dense", "faint", "curved", "tailed"];

    private static readonly (string Group, string Parent, string Stem, string Trait)[] PlanktonTaxa =
        [.. PlanktonGroups.SelectMany(g => PlanktonTraits.Take(g.Count).Select(trait => (g.Group, g.Parent, g.Stem, trait)))];

    public static readonly string[] PlanktonClasses = [.. PlanktonTaxa.Select(t => $"{t.Stem}_{t.Trait}")];

    // Each class's parent group, and each group's parent, for the hierarchical metrics.
    public static string PlanktonParents =>
        string.Join("\n", PlanktonTaxa.Select(t => $"{t.Stem}_{t.Trait}={t.Group}")
            .Concat(PlanktonGroups.Select(g => $"{g.Group}={g.Parent}").Distinct())
            .Concat(PlanktonGroups.Select(g => g.Parent).Distinct().Select(p => $"{p}=Plankton")));

    // Team name and the confidence of each submission on the true class (the rest of the mass spreads
    // over the other classes, most of it on the true class's siblings).
    private static readonly (string Team, double[] Confidence)[] PlanktonHistory =
    [
        ("Bowl Champions", [0.35, 0.52, 0.64, 0.72]),
        ("EcoTaxa Taxonomists", [0.40, 0.55, 0.61]),
        ("Random Forest of Features", [0.30, 0.42]),
        ("Overconfident Nets", [0.60, 0.70]),
    ];

    private async Task SeedPlanktonAsync(DemoWorld world, CancellationToken cancellationToken)
    {
        var (perClass, testCount) = (Scaled(10, 1), Scaled(1_500, 60));
        var competition = await ChallengeAsync(world, PlanktonSlug, "Plankton in 121 classes",
            "Give the probability of each of 121 plankton classes for every image from an in-situ imaging instrument.",
            PlanktonOverview, string.Format(CultureInfo.InvariantCulture, PlanktonData, perClass * PlanktonClasses.Length, testCount),
            PlanktonEvaluation, PlanktonRules, cancellationToken);
        var task = await TaskAsync(world, competition, new TaskInput
        {
            Slug = "probabilities", Title = "Class probabilities", Kind = TaskKind.Probability, Metric = "log_loss",
            Classes = string.Join("\n", PlanktonClasses), SplitSeed = 121, MaxSubmissionMegabytes = 64,
        }, cancellationToken);
        var taxonomyTask = await TaskAsync(world, competition, new TaskInput
        {
            Slug = "taxonomy", Title = "Labels along the taxonomy", Metric = "hierarchical_f1",
            Classes = string.Join("\n", PlanktonClasses), ClassParents = PlanktonParents, SplitSeed = 122,
        }, cancellationToken);

        var random = new Random(3003);
        var train = new List<(string File, byte[] Png)>();
        var trainLabels = new List<string>();
        for (var i = 0; i < perClass * PlanktonClasses.Length; i++)
        {
            train.Add((ImageName(i), DrawPlankton(i % PlanktonClasses.Length, random).ToPng()));
            trainLabels.Add(PlanktonClasses[i % PlanktonClasses.Length]);
        }
        var test = new List<(string File, byte[] Png)>();
        var truth = new List<int>();
        for (var i = 0; i < testCount; i++)
        {
            var label = random.Next(PlanktonClasses.Length);
            test.Add((ImageName(i), DrawPlankton(label, random).ToPng()));
            truth.Add(label);
        }
        var truthNames = truth.Select(t => PlanktonClasses[t]).ToList();

        var trainId = await DataFileAsync(world, competition, "train.zip", ImageZip(train, LabelsCsv((train, trainLabels))),
            $"{train.Count:N0} labelled images (PNG), labels.csv with file,label.", cancellationToken);
        var testId = await DataFileAsync(world, competition, "test.zip", ImageZip(test, FilesCsv(test.Count)),
            $"{test.Count:N0} images to classify; labels.csv lists them in Id order.", cancellationToken);
        await DataFileAsync(world, competition, "taxonomy.csv", Encoding.UTF8.GetBytes("class,parent\n" + PlanktonParents.Replace('=', ',') + "\n"),
            "Each class's parent group, up to the root: the tree the hierarchical F1 walks.", cancellationToken);
        await DataFileAsync(world, competition, "sampleSubmission.csv", ProbabilityPredictions(truth, 1.0 / PlanktonClasses.Length, 0),
            "A valid submission: the same probability for every class (log loss ln 121 ≈ 4.80).", cancellationToken);
        await DataFileAsync(world, competition, "sample_taxonomy.csv", Encoding.UTF8.GetBytes(SolutionCsv(truthNames.Select(_ => PlanktonClasses[0]).ToList())),
            "A valid submission for the taxonomy task (every image the first class).", cancellationToken);
        await SolutionAsync(world, task, SolutionCsv(truthNames), cancellationToken);
        await SolutionAsync(world, taxonomyTask, SolutionCsv(truthNames), cancellationToken);

        for (var t = 0; t < PlanktonHistory.Length; t++)
        {
            var (name, confidences) = PlanktonHistory[t];
            var team = await TeamAsync(world, competition, name, cancellationToken);
            for (var k = 0; k < confidences.Length; k++)
            {
                var at = SubmittedAt(world, t, k, confidences.Length);
                await SubmitAsync(world, task, team, $"probabilities-{k + 1}.csv", ProbabilityPredictions(truth, confidences[k], 4000 + 100 * t + k), "", at, cancellationToken);
                await SubmitAsync(world, taxonomyTask, team, $"labels-{k + 1}.csv", LabelPredictions(truthNames, PlanktonClasses, confidences[k] + 0.1, 5000 + 100 * t + k), "", at.AddMinutes(5), cancellationToken);
            }
        }

        // The worker writes the softmax of a small CNN as the class probabilities.
        await BaselineAsync(world, competition, task, "cnn", 5, trainId, testId, null, cancellationToken);
    }

    // Id,class1,…,class121; the true class gets about the given confidence, its siblings most of the rest.
    private static byte[] ProbabilityPredictions(IReadOnlyList<int> truth, double confidence, int salt)
    {
        var random = new Random(salt);
        var csv = new StringBuilder("Id,").Append(string.Join(",", PlanktonClasses)).Append('\n');
        var row = new double[PlanktonClasses.Length];
        for (var i = 0; i < truth.Count; i++)
        {
            if (salt == 0)
            {
                Array.Fill(row, confidence);
            }
            else
            {
                var sure = Math.Clamp(confidence + (random.NextDouble() - 0.5) * 0.4, 0.02, 0.97);
                // Some images are mistaken for a sibling: the confidence lands there instead.
                var group = PlanktonTaxa[truth[i]].Group;
                var siblings = Enumerable.Range(0, row.Length).Where(c => PlanktonTaxa[c].Group == group).ToArray();
                var target = random.NextDouble() < confidence ? truth[i] : siblings[random.Next(siblings.Length)];
                Array.Fill(row, (1 - sure) * 0.3 / row.Length);
                foreach (var sibling in siblings)
                {
                    row[sibling] += (1 - sure) * 0.7 / siblings.Length;
                }
                row[target] += sure;
            }
            csv.Append(i.ToString(CultureInfo.InvariantCulture));
            foreach (var p in row)
            {
                csv.Append(',').Append(p.ToString("0.######", CultureInfo.InvariantCulture));
            }
            csv.Append('\n');
        }
        return Encoding.UTF8.GetBytes(csv.ToString());
    }

    // A 48×48 in-situ image: a bright organism on a dark field, its shape from the group, its size,
    // elongation, brightness and appendages from the class within the group.
    internal static DemoCanvas DrawPlankton(int label, Random random)
    {
        var canvas = new DemoCanvas(48, 48);
        canvas.Fill((12, 12, 14));
        var group = Array.FindIndex(PlanktonGroups, g => g.Group == PlanktonTaxa[label].Group);
        var trait = Array.IndexOf(PlanktonTraits, PlanktonTaxa[label].Trait);
        var grey = 120 + 9 * trait + random.Next(-12, 13);
        (int, int, int) Shade(int delta = 0) => (grey + delta, grey + delta, grey + delta + 5);
        var (cx, cy) = (24 + random.Next(-4, 5), 24 + random.Next(-4, 5));
        var size = 5 + trait % 5 * 2 + random.NextDouble() * 2;
        var elongation = 1 + trait % 3 * 0.6;
        switch (group % 7)
        {
            case 0: // bodies with antennae (crustaceans, larvae)
                canvas.Ellipse(cx, cy, size, size / elongation, Shade());
                canvas.Band(cx, cy - size / 2, 0.2 * (trait % 4) - 0.3, 1.5, Shade(-30));
                break;
            case 1: // arrows (chaetognaths, appendicularians)
                canvas.Ellipse(cx, cy, size * 1.8, 2 + trait % 3, Shade());
                canvas.Ellipse(cx - size * 1.5, cy, 3, 3 + trait % 4, Shade(20));
                break;
            case 2: // bells with tentacles (medusae)
                canvas.Ellipse(cx, cy, size, size * 0.7, Shade(-20));
                for (var k = 0; k < 2 + trait % 5; k++)
                {
                    canvas.Rect(cx - (int)size + k * 4, cy, 1, (int)(size * 1.3), Shade(-40));
                }
                break;
            case 3: // chains (salps, siphonophores, diatom chains)
                for (var k = 0; k < 2 + trait % 5; k++)
                {
                    canvas.Ellipse(cx - 12 + k * 6, cy + (k % 2) * 2, 3 + trait % 3, 3, Shade());
                }
                break;
            case 4: // lobed ovals (ctenophores)
                canvas.Ellipse(cx, cy, size * 0.8, size * 1.2, Shade(-30));
                canvas.Stripes(0, 4 + trait % 3, 0.3, (grey, grey, grey), 0);
                canvas.Ellipse(cx, cy, size * 0.4, size * 0.6, Shade(20));
                break;
            case 5: // spiky discs (radiolarians, echinoderm larvae)
                canvas.Ellipse(cx, cy, size * 0.7, size * 0.7, Shade());
                for (var k = 0; k < 3 + trait % 5; k++)
                {
                    canvas.Band(cx, cy, k * Math.PI / (3 + trait % 5), 1, Shade(-20));
                }
                canvas.Rect(0, 0, 48, 3, (12, 12, 14));
                canvas.Rect(0, 45, 48, 3, (12, 12, 14));
                break;
            default: // fluffy detritus and fish larvae
                for (var k = 0; k < 6 + trait; k++)
                {
                    canvas.Ellipse(cx + random.Next(-8, 9), cy + random.Next(-6, 7), 2 + random.Next(3), 2 + random.Next(3), Shade(random.Next(-30, 10)));
                }
                break;
        }
        // Groups sharing a drawing differ in tone.
        canvas.Tint(1, group * 3 - 20, group * 2 - 10, 20 - group * 3);
        canvas.Noise(random, 8);
        return canvas;
    }

    private const string PlanktonOverview = """
        ## Classify plankton in 121 classes

        In-situ imaging instruments photograph millions of plankton organisms as they drift past.
        Ecologists sort the images along a taxonomy (EcoTaxa holds some 50 million of them) and
        machine learning suggests the class. As in the National Data Science Bowl, predict, for
        every image, **a probability for each of the 121 classes**.

        The classes follow a taxonomy: 14 groups (copepods, medusae, salps, diatoms, detritus...)
        under 7 higher branches. A second task takes one label per image and scores it along the
        tree, so a copepod taken for another copepod costs less than one taken for a diatom.

        A small CNN trained on this server gives the probability task its baseline row.
        """;

    private const string PlanktonData = """
        ## Files

        * `train.zip`: {0:N0} labelled images (48×48 PNG), `labels.csv` with `file,label`
        * `test.zip`: {1:N0} images; `labels.csv` lists them in `Id` order
        * `taxonomy.csv`: each class's parent, up to the root
        * `sampleSubmission.csv`: the probability task's format, with the same probability everywhere
        * `sample_taxonomy.csv`: the label task's format

        ## Submission format

        Probabilities: a header `Id,` followed by the 121 class names, then one row per test image
        with a probability for each class. Rows need not sum to 1: each row is divided by its sum.

        Labels along the taxonomy: `Id,Category`, one class name per image.
        """;

    private const string PlanktonEvaluation = """
        ## Multiclass log loss

        For each image *i*, take the probability *pᵢ* you gave to its true class (after dividing
        the row by its sum and clipping to [10⁻¹⁵, 1 − 10⁻¹⁵]). The score is

        `log loss = −(1/N) Σᵢ ln pᵢ`

        Lower is better; 0 is perfect and giving every class 1/121 scores ln 121 ≈ 4.80.

        ### Why a logarithm?

        Because it scores *how sure* you were, not just whether the top class was right:

        * a right answer given with 0.9 costs −ln 0.9 ≈ 0.11, the same answer with 0.5 costs 0.69;
        * a true class given 0.01 costs 4.6, given 0.000001 costs 13.8: **confident mistakes are
          punished without bound**, so never give a class exactly zero;
        * the logarithm turns the probability of the whole test set (a product over images) into a
          sum, so the score is the average surprise per image, and the best strategy is to report
          your honest probabilities, no more and no less confident than you are.

        ## Hierarchical F1 (the taxonomy task)

        Each label stands for its path from the root (e.g. Plankton › Crustacea › Copepoda ›
        copepod_calanoid). Precision and recall count the shared nodes of the predicted and true
        paths, so a near miss within the right group still earns most of the score.
        """;

    private const string PlanktonRules = """
        * Use only the images given here; no hand-labelling of test images.
        * External taxonomic knowledge (the tree, descriptions) is welcome.
        * Five submissions per task per day; choose two final submissions per task.
        """;
}
