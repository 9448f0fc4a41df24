using Challenge.Ml.Data;
using Challenge.Worker.Commands;

namespace Challenge.Ml.Tests;

public class TrainCommandTests : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Theory]
    [InlineData("cnn")]
    [InlineData("softmax")]
    [InlineData("majority")]
    [InlineData("random")]
    public void Trains_on_an_npz_and_writes_one_named_prediction_per_test_image(string model)
    {
        var train = WriteNpz("train.npz", SyntheticImages.Bars(160, seed: 1), withLabels: true);
        var test = WriteNpz("test.npz", SyntheticImages.Bars(24, seed: 2), withLabels: false);
        var output = new StringWriter();
        var error = new StringWriter();
        var csv = _files.PathOf("out/predictions.csv");

        var exitCode = TrainCommand.Run(
            ["--train", train, "--test", test, "--model", model, "--epochs", "3", "--batch-size", "16", "--lr", "0.003",
             "--device", "auto", "--out", csv, "--seed", "7"],
            output,
            error,
            CancellationToken.None);

        Assert.True(exitCode == 0, error.ToString());
        var lines = File.ReadAllLines(csv);
        Assert.Equal("Id,Category", lines[0]);
        Assert.Equal(25, lines.Length);
        var rows = lines[1..].Select(line => line.Split(',')).ToArray();
        Assert.Equal(Enumerable.Range(0, 24).Select(i => i.ToString()), rows.Select(r => r[0]));
        Assert.All(rows, r => Assert.Contains(r[1], SyntheticImages.ClassNames));
        if (model is "cnn" or "softmax")
        {
            // The test images cycle through the four classes in order.
            var correct = rows.Count(r => r[1] == SyntheticImages.ClassNames[int.Parse(r[0]) % 4]);
            Assert.True(correct >= 22, $"{correct} of 24 right\n{output}");
            Assert.Contains("epoch 3/3", output.ToString());
            Assert.Contains("validation accuracy", output.ToString());
        }

        Assert.Contains("device: cpu", output.ToString());
    }

    [Fact]
    public void Pseudo_labelling_runs_with_an_unlabelled_set()
    {
        var train = WriteNpz("train.npz", SyntheticImages.Bars(24, seed: 3), withLabels: true);
        var unlabelled = WriteNpz("unsup.npz", SyntheticImages.Bars(64, seed: 4), withLabels: false);
        var test = WriteNpz("test.npz", SyntheticImages.Bars(8, seed: 5), withLabels: false);
        var output = new StringWriter();
        var csv = _files.PathOf("pseudo.csv");

        var exitCode = TrainCommand.Run(
            ["--train", train, "--test", test, "--unlabelled", unlabelled, "--model", "pseudo", "--epochs", "3",
             "--batch-size", "8", "--lr", "0.003", "--threshold", "0.8", "--validation", "0", "--out", csv],
            output,
            new StringWriter(),
            CancellationToken.None);

        Assert.Equal(0, exitCode);
        Assert.Contains("pseudo-labelling round 1", output.ToString());
        Assert.Equal(9, File.ReadAllLines(csv).Length);
    }

    [Fact]
    public void Numeric_labels_without_names_are_written_as_numbers()
    {
        var images = SyntheticImages.Bars(40, seed: 6);
        var train = WriteNpz("train.npz", images.WithLabels(images.RequireLabels(), null), withLabels: true);
        var csv = _files.PathOf("numbers.csv");
        var exitCode = TrainCommand.Run(
            ["--train", train, "--test", train, "--model", "majority", "--out", csv],
            new StringWriter(),
            new StringWriter(),
            CancellationToken.None);

        Assert.Equal(0, exitCode);
        Assert.All(File.ReadAllLines(csv)[1..], line => Assert.Matches(@"^\d+,\d$", line));
    }

    [Theory]
    [InlineData("--model", "forest", "Unknown model")]
    [InlineData("--model", "pseudo", "--unlabelled")]
    [InlineData("--epochs", "zero", "--epochs")]
    [InlineData("--colour", "red", "Unknown argument")]
    [InlineData("--device", "tpu", "tpu")]
    public void Bad_arguments_exit_with_code_2_and_say_why(string name, string value, string expected)
    {
        var error = new StringWriter();
        var exitCode = TrainCommand.Run(["--train", "a.npz", "--test", "b.npz", name, value], new StringWriter(), error, CancellationToken.None);
        Assert.Equal(2, exitCode);
        Assert.Contains(expected, error.ToString());
        Assert.Contains("usage:", error.ToString());
    }

    [Fact]
    public void A_missing_file_exits_with_code_1()
    {
        var error = new StringWriter();
        var exitCode = TrainCommand.Run(
            ["--train", _files.PathOf("nope.npz"), "--test", _files.PathOf("nope.npz"), "--device", "cpu"],
            new StringWriter(),
            error,
            CancellationToken.None);
        Assert.Equal(1, exitCode);
        Assert.Contains("nope.npz", error.ToString());
    }

    private string WriteNpz(string name, ImageDataset data, bool withLabels)
    {
        var path = _files.PathOf(name);
        var pixels = data.Pixels.Select(v => (byte)Math.Clamp(v * 255, 0, 255)).ToArray();
        var arrays = new List<(string, byte[])> { ("x", TestFiles.Npy("|u1", [data.Count, data.Height, data.Width], pixels)) };
        if (withLabels)
        {
            arrays.Add(("y", TestFiles.Npy("<i8", [data.Count], TestFiles.Int64s([.. data.RequireLabels().Select(l => (long)l)]))));
            if (data.ClassNames is { } names)
            {
                var width = names.Max(n => n.Length);
                var bytes = names.SelectMany(n => System.Text.Encoding.UTF32.GetBytes(n.PadRight(width, '\0'))).ToArray();
                arrays.Add(("class_names", TestFiles.Npy($"<U{width}", [names.Count], bytes)));
            }
        }

        TestFiles.WriteNpz(path, [.. arrays]);
        return path;
    }
}
