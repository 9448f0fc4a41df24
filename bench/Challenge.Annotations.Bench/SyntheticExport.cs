using Challenge.Annotations.Model;

namespace Challenge.Annotations.Bench;

/// <summary>
/// A look-alike of the river-plastic export: camera frames of 1920x1080, four classes, boxes of all COCO sizes,
/// a few crowd regions, and detections that find most objects (jittered, sometimes the wrong class) plus noise.
/// </summary>
internal static class SyntheticExport
{
    private static readonly string[] _classes = ["PLASTIC_BAG", "PLASTIC_BOTTLE", "OTHER_PLASTIC_WASTE", "NOT_PLASTIC_WASTE"];

    public static (AnnotationDataset Gold, AnnotationDataset Detections) Create(int imageCount, int boxCount, int seed)
    {
        var random = new Random(seed);
        var gold = new AnnotationDataset();
        var detections = new AnnotationDataset();
        for (var k = 0; k < _classes.Length; k++)
        {
            gold.Categories.Add(new Category(k + 1, _classes[k]));
            detections.Categories.Add(new Category(k + 1, _classes[k]));
        }

        const int width = 1920, height = 1080;
        for (var i = 1; i <= imageCount; i++)
        {
            gold.Images.Add(new ImageInfo(i, $"frame_{i:D6}.jpg", width, height));
        }

        long detectionId = 1;
        for (var b = 1; b <= boxCount; b++)
        {
            var imageId = random.Next(1, imageCount + 1);
            var size = random.Next(3) switch { 0 => 8 + random.NextDouble() * 24, 1 => 32 + random.NextDouble() * 64, _ => 96 + random.NextDouble() * 300 };
            var w = Math.Round(size * (0.6 + random.NextDouble() * 0.8), 1);
            var h = Math.Round(size * (0.6 + random.NextDouble() * 0.8), 1);
            var x = Math.Round(random.NextDouble() * (width - w), 1);
            var y = Math.Round(random.NextDouble() * (height - h), 1);
            var category = random.Next(1, _classes.Length + 1);
            gold.Boxes.Add(new BoxAnnotation(b, imageId, category, x, y, w, h, IsCrowd: random.NextDouble() < 0.005));
            if (random.NextDouble() < 0.9)
            {
                var predicted = random.NextDouble() < 0.85 ? category : random.Next(1, _classes.Length + 1);
                detections.Boxes.Add(new BoxAnnotation(detectionId++, imageId, predicted,
                    Math.Round(x + Gaussian(random) * w * 0.06, 1), Math.Round(y + Gaussian(random) * h * 0.06, 1),
                    Math.Max(1, Math.Round(w * (1 + Gaussian(random) * 0.08), 1)), Math.Max(1, Math.Round(h * (1 + Gaussian(random) * 0.08), 1)),
                    Score: Math.Round(0.3 + random.NextDouble() * 0.7, 3)));
            }

            if (random.NextDouble() < 0.1)
            {
                detections.Boxes.Add(new BoxAnnotation(detectionId++, random.Next(1, imageCount + 1), random.Next(1, _classes.Length + 1),
                    Math.Round(random.NextDouble() * 1800, 1), Math.Round(random.NextDouble() * 1000, 1),
                    Math.Round(10 + random.NextDouble() * 100, 1), Math.Round(10 + random.NextDouble() * 80, 1),
                    Score: Math.Round(random.NextDouble() * 0.6, 3)));
            }
        }

        return (gold, detections);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
