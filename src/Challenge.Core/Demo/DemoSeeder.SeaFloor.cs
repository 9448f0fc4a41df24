using System.Text;
using Challenge.Core.Tasks;

namespace Challenge.Core.Demo;

// Case 2, the SPEGC underwater datathon: frames from ROV videos, two tasks on the same images
// (sea-floor type and main visible element), imbalanced classes, weighted accuracy.
public sealed partial class DemoSeeder
{
    public const string SeaFloorSlug = "rov-sea-floor";

    public static readonly string[] FloorTypes = ["sandy", "muddy", "muddy-sand", "reef"];
    public static readonly string[] Elements = ["ripples", "fauna", "algae", "waste", "rocks"];

    // How often each class turns up (imbalanced, as on the real dives) and the organizers' weights.
    private static readonly double[] FloorFrequencies = [0.45, 0.25, 0.20, 0.10];
    private static readonly double[] ElementFrequencies = [0.35, 0.20, 0.12, 0.08, 0.25];
    private const string FloorWeights = "sandy=1\nmuddy=1.5\nmuddy-sand=2\nreef=3";
    private const string ElementWeights = "ripples=1\nfauna=1.5\nalgae=2\nwaste=4\nrocks=1";

    private static readonly (string Team, double[] Floor, double[] Element)[] SeaFloorHistory =
    [
        ("Benthic Bytes", [0.72, 0.84, 0.91, 0.948], [0.66, 0.79, 0.88, 0.951]),
        ("PLOCAN Divers", [0.69, 0.81, 0.93], [0.70, 0.83, 0.90, 0.93]),
        ("Ripple Effect", [0.64, 0.77, 0.85], [0.61, 0.74]),
        ("Deep Reef", [0.80, 0.87], [0.75, 0.86, 0.89]),
    ];

    private async Task SeedSeaFloorAsync(DemoWorld world, CancellationToken cancellationToken)
    {
        var (trainCount, testCount) = (Scaled(800, 30), Scaled(1_000, 40));
        var competition = await ChallengeAsync(world, SeaFloorSlug, "ROV sea floor and elements",
            "Tell the sea-floor type and the main visible element in frames from underwater ROV dives off Gran Canaria.",
            SeaFloorOverview, string.Format(System.Globalization.CultureInfo.InvariantCulture, SeaFloorData, trainCount, testCount),
            SeaFloorEvaluation, SeaFloorRules, cancellationToken);
        var floorTask = await TaskAsync(world, competition, new TaskInput
        {
            Slug = "floor", Title = "Floor type", Metric = "weighted_accuracy", ClassWeights = FloorWeights, Classes = string.Join("\n", FloorTypes), SplitSeed = 11,
        }, cancellationToken);
        var elementTask = await TaskAsync(world, competition, new TaskInput
        {
            Slug = "element", Title = "Main element", Metric = "weighted_accuracy", ClassWeights = ElementWeights, Classes = string.Join("\n", Elements), SplitSeed = 12,
        }, cancellationToken);

        var random = new Random(2002);
        (List<(string File, byte[] Png)> Images, List<string> Floors, List<string> Elements) Draw(int count)
        {
            var images = new List<(string, byte[])>(count);
            var (floors, elements) = (new List<string>(count), new List<string>(count));
            for (var i = 0; i < count; i++)
            {
                var (floor, element) = (Pick(random, FloorFrequencies), Pick(random, ElementFrequencies));
                images.Add((ImageName(i), DrawSeaFloor(floor, element, random).ToPng()));
                floors.Add(FloorTypes[floor]);
                elements.Add(Elements[element]);
            }
            return (images, floors, elements);
        }

        var train = Draw(trainCount);
        var test = Draw(testCount);
        var bothLabels = new StringBuilder("file,floor,element\n");
        for (var i = 0; i < train.Images.Count; i++)
        {
            bothLabels.Append(train.Images[i].File).Append(',').Append(train.Floors[i]).Append(',').Append(train.Elements[i]).Append('\n');
        }
        var floorTrainId = await DataFileAsync(world, competition, "floor_train.zip", ImageZip(train.Images, LabelsCsv((train.Images, train.Floors)), [("both_tasks.csv", bothLabels.ToString())]),
            $"{train.Images.Count:N0} labelled frames (PNG); labels.csv gives the floor type, both_tasks.csv both labels.", cancellationToken);
        var elementTrainId = await DataFileAsync(world, competition, "element_train.zip", ImageZip(train.Images, LabelsCsv((train.Images, train.Elements))),
            "The same frames with the main element in labels.csv.", cancellationToken);
        var testId = await DataFileAsync(world, competition, "test.zip", ImageZip(test.Images, FilesCsv(test.Images.Count)),
            $"{test.Images.Count:N0} frames to label for both tasks; labels.csv lists them in Id order.", cancellationToken);
        await DataFileAsync(world, competition, "sample_floor.csv", Encoding.UTF8.GetBytes(SolutionCsv(test.Floors.Select(_ => FloorTypes[0]).ToList())),
            "A valid floor-type submission (every frame sandy).", cancellationToken);
        await DataFileAsync(world, competition, "sample_element.csv", Encoding.UTF8.GetBytes(SolutionCsv(test.Elements.Select(_ => Elements[0]).ToList())),
            "A valid main-element submission (every frame ripples).", cancellationToken);
        await SolutionAsync(world, floorTask, SolutionCsv(test.Floors), cancellationToken);
        await SolutionAsync(world, elementTask, SolutionCsv(test.Elements), cancellationToken);

        for (var t = 0; t < SeaFloorHistory.Length; t++)
        {
            var (name, floor, element) = SeaFloorHistory[t];
            var team = await TeamAsync(world, competition, name, cancellationToken);
            for (var k = 0; k < floor.Length; k++)
            {
                await SubmitAsync(world, floorTask, team, $"floor-{k + 1}.csv", LabelPredictions(test.Floors, FloorTypes, floor[k], 2000 + 100 * t + k), "",
                    SubmittedAt(world, t, k, floor.Length), cancellationToken);
            }
            for (var k = 0; k < element.Length; k++)
            {
                await SubmitAsync(world, elementTask, team, $"element-{k + 1}.csv", LabelPredictions(test.Elements, Elements, element[k], 3000 + 100 * t + k), "",
                    SubmittedAt(world, t, k, element.Length).AddHours(1), cancellationToken);
            }
        }

        await BaselineAsync(world, competition, floorTask, "cnn", 4, floorTrainId, testId, null, cancellationToken);
        await BaselineAsync(world, competition, elementTask, "cnn", 4, elementTrainId, testId, null, cancellationToken);
    }

    private static int Pick(Random random, double[] frequencies)
    {
        var u = random.NextDouble();
        for (var i = 0; i < frequencies.Length - 1; i++)
        {
            if ((u -= frequencies[i]) < 0)
            {
                return i;
            }
        }
        return frequencies.Length - 1;
    }

    // A 96×56 frame: the floor's colour and texture, the element on top, then the blue-green cast of
    // water and the noise of a video frame.
    internal static DemoCanvas DrawSeaFloor(int floor, int element, Random random)
    {
        var canvas = new DemoCanvas(96, 56);
        int Jitter(int value, int by) => value + random.Next(-by, by + 1);
        (int, int, int) Colour(int r, int g, int b, int by = 10) => (Jitter(r, by), Jitter(g, by), Jitter(b, by));
        switch (floor)
        {
            case 0: // sandy
                canvas.Fill(Colour(195, 175, 125));
                break;
            case 1: // muddy
                canvas.Fill(Colour(95, 80, 60));
                break;
            case 2: // muddy-sand: sand with dark patches
                canvas.Fill(Colour(160, 140, 100));
                for (var i = 0; i < 10; i++)
                {
                    canvas.Ellipse(random.Next(96), random.Next(56), random.Next(4, 10), random.Next(3, 6), Colour(100, 85, 65));
                }
                break;
            default: // reef: rough grey relief
                canvas.Fill(Colour(105, 110, 105));
                for (var i = 0; i < 30; i++)
                {
                    canvas.Ellipse(random.Next(96), random.Next(56), random.Next(2, 6), random.Next(2, 5), Colour(135, 130, 120, 20));
                }
                break;
        }
        switch (element)
        {
            case 0: // ripples
                canvas.Stripes(0.3 + random.NextDouble() * 0.6, random.Next(5, 8), 0.35, Colour(225, 210, 170), random.Next(10));
                break;
            case 1: // fauna: a few starfish and urchins
                for (var i = random.Next(2, 5); i > 0; i--)
                {
                    var (x, y) = (random.Next(8, 88), random.Next(8, 48));
                    canvas.Ellipse(x, y, 4, 4, Colour(230, 100, 55));
                    canvas.Ellipse(x, y, 7, 1.5, Colour(230, 100, 55));
                    canvas.Ellipse(x, y, 1.5, 7, Colour(230, 100, 55));
                }
                break;
            case 2: // algae: green fronds
                for (var i = random.Next(3, 7); i > 0; i--)
                {
                    canvas.Ellipse(random.Next(96), random.Next(56), random.Next(2, 4), random.Next(8, 16), Colour(55, 135, 60, 15));
                }
                break;
            case 3: // waste: a bright man-made object
                canvas.Rect(random.Next(10, 70), random.Next(8, 36), random.Next(10, 20), random.Next(6, 14), random.Next(2) == 0 ? Colour(235, 235, 240) : Colour(40, 90, 210));
                break;
            default: // rocks
                for (var i = random.Next(2, 4); i > 0; i--)
                {
                    canvas.Ellipse(random.Next(96), random.Next(56), random.Next(8, 16), random.Next(6, 11), Colour(60, 60, 65));
                }
                break;
        }
        canvas.Tint(0.7 + random.NextDouble() * 0.35, -25, random.Next(0, 15), random.Next(15, 35));
        canvas.Noise(random, 10);
        return canvas;
    }

    private const string SeaFloorOverview = """
        ## Underwater images from ROV dives

        PLOCAN's remotely operated vehicles film the sea floor off Gran Canaria. Marine scientists
        want two answers for each frame, so this challenge has two tasks on the same images:

        1. **Floor type** (4 classes): `sandy`, `muddy`, `muddy-sand`, `reef`.
        2. **Main element** (5 classes): `ripples`, `fauna`, `algae`, `waste`, `rocks`.

        The classes are imbalanced, as on the real dives: most frames show sand, and waste is rare
        but matters most. Each task has its own leaderboard.

        Beyond the scores, the winning teams were judged on reproducibility: keep your inference
        script runnable. A secondary goal, without scores, is to say where the element is in the
        frame (no boxes are given).
        """;

    private const string SeaFloorData = """
        ## Files

        * `floor_train.zip`: {0:N0} labelled frames, `labels.csv` (`file,label`) with the floor type,
          and `both_tasks.csv` (`file,floor,element`)
        * `element_train.zip`: the same frames, `labels.csv` with the main element
        * `test.zip`: {1:N0} frames; `labels.csv` lists them in `Id` order
        * `sample_floor.csv`, `sample_element.csv`: valid submissions for each task

        The real frames are 3840×2160 video stills; these are 96×56 PNG so that the demo stays light.

        ## Submission format

        One CSV per task, header `Id,Category`, one row per test frame: `Id` is the frame's number
        in `test.zip` (from 0), `Category` the class name. Submit each file to its task.
        """;

    private const string SeaFloorEvaluation = """
        Both tasks are scored by **weighted accuracy**: each test frame counts with the weight the
        organizers gave its true class, and the score is the weighted share of right answers:

        `score = Σ w(yᵢ)·[ŷᵢ = yᵢ] / Σ w(yᵢ)`

        | Floor type | weight | Main element | weight |
        |---|---:|---|---:|
        | sandy | 1 | ripples | 1 |
        | muddy | 1.5 | fauna | 1.5 |
        | muddy-sand | 2 | algae | 2 |
        | reef | 3 | waste | 4 |
        | | | rocks | 1 |

        Rare classes weigh more, so answering `sandy` everywhere scores far below its plain
        accuracy. The winning validation scores of the original datathon were 0.961 (floor) and
        0.963 (elements).
        """;

    private const string SeaFloorRules = """
        * One account per person; teams of up to 5.
        * Train on the given frames only; public pretrained weights are allowed if named.
        * The top teams hand in their inference script; results that cannot be reproduced are removed.
        * Five submissions per task per day.
        """;
}
