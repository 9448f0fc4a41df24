using Challenge.Core.Baselines;

namespace Challenge.Core.Tests;

public sealed class BaselineCurveTests
{
    private static ProgressReport Report(string stage, int epoch, int batch, double loss = 1, double? accuracy = null) =>
        new(stage, epoch, 3, batch, 10, loss, accuracy, 100, 5, "cpu");

    [Fact]
    public void The_curve_counts_epochs_across_stages_and_ignores_repeated_points()
    {
        var json = BaselineQueue.AppendCurve("[]", [Report("cnn", 1, 5), Report("cnn", 1, 10, accuracy: 0.5), Report("cnn", 1, 10)]);
        json = BaselineQueue.AppendCurve(json, [Report("cnn", 3, 10), Report("student", 1, 5), Report("student", 2, 10)]);

        var points = BaselineQueue.ReadCurve(json);
        Assert.Equal([0.5, 1.0, 3.0, 3.5, 5.0], points.Select(p => p.X));
        Assert.Equal(0.5, points[1].ValidationAccuracy);
        Assert.Equal("student", points[^1].Stage);
    }

    [Fact]
    public void A_long_run_keeps_the_curve_bounded_with_its_ends_and_validation_points()
    {
        var json = "[]";
        for (var epoch = 1; epoch <= 3; epoch++)
        {
            for (var chunk = 0; chunk < 10; chunk++)
            {
                var reports = Enumerable.Range(1, 200).Select(b => new ProgressReport("cnn", epoch, 3, chunk * 200 + b, 2_000, 1.0 / b, b == 200 && chunk == 9 ? 0.9 : null, 1, 1, "cpu")).ToList();
                json = BaselineQueue.AppendCurve(json, reports);
            }
        }
        var points = BaselineQueue.ReadCurve(json);
        Assert.InRange(points.Count, 2, BaselineRules.MaxCurvePoints);
        Assert.Equal(3.0, points[^1].X);
        Assert.Equal(3, points.Count(p => p.ValidationAccuracy is not null));
    }

    [Fact]
    public void The_log_keeps_its_newest_lines_within_its_bound()
    {
        var log = "";
        for (var i = 0; i < 5_000; i++)
        {
            log = BaselineQueue.AppendLog(log, [$"line {i} " + new string('x', 40)]);
        }
        Assert.True(log.Length <= BaselineRules.MaxLogChars);
        Assert.StartsWith("[earlier lines dropped]\nline ", log);
        Assert.EndsWith($"line 4999 {new string('x', 40)}\n", log);
    }
}
