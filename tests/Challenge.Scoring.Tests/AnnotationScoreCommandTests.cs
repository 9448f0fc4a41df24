using System.Text;
using System.Text.Json;
using Challenge.Cli;

namespace Challenge.Scoring.Tests;

/// <summary><c>challenge score</c> with the annotation and detection metrics, on files generated here.</summary>
public class AnnotationScoreCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("annotation-score-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, content, Encoding.UTF8);
        return path;
    }

    private static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = CliApp.Run(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    // Four images, one bottle each; the detections find three of them exactly and put the least confident one far off,
    // so AP is 0.75 (VOC all-point) and 76/101 (COCO's 101 recall points).
    private string Gold() => Write("gold.json", """
        {"images":[{"id":1,"file_name":"a.png","width":100,"height":100},{"id":2,"file_name":"b.png","width":100,"height":100},
                   {"id":3,"file_name":"c.png","width":100,"height":100},{"id":4,"file_name":"d.png","width":100,"height":100}],
         "categories":[{"id":1,"name":"PLASTIC_BOTTLE"}],
         "annotations":[{"id":1,"image_id":1,"category_id":1,"bbox":[10,10,40,40],"area":1600,"iscrowd":0},
                        {"id":2,"image_id":2,"category_id":1,"bbox":[10,10,40,40],"area":1600,"iscrowd":0},
                        {"id":3,"image_id":3,"category_id":1,"bbox":[10,10,40,40],"area":1600,"iscrowd":0},
                        {"id":4,"image_id":4,"category_id":1,"bbox":[10,10,40,40],"area":1600,"iscrowd":0}]}
        """);

    private string Detections() => Write("detections.json", """
        [{"image_id":1,"category_id":1,"bbox":[10,10,40,40],"score":0.9},{"image_id":2,"category_id":1,"bbox":[10,10,40,40],"score":0.8},
         {"image_id":3,"category_id":1,"bbox":[10,10,40,40],"score":0.7},{"image_id":4,"category_id":1,"bbox":[60,60,30,30],"score":0.1}]
        """);

    [Theory]
    [InlineData("coco_map", 0.75)]
    [InlineData("coco_map50", 0.75)]
    [InlineData("voc_map50", 0.75)]
    public void Detection_metrics_print_the_csv_shape_plus_the_coco_details(string metric, double expected)
    {
        var (exitCode, output, error) = Run("score", "--solution", Gold(), "--submission", Detections(), "--metric", metric, "--json", "--public-fraction", "0.5");
        Assert.True(exitCode == 0, error + output);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(metric, root.GetProperty("metric").GetString());
        Assert.True(root.GetProperty("higherIsBetter").GetBoolean());
        Assert.Equal(expected, root.GetProperty("overall").GetDouble(), 2);
        Assert.Equal(4, root.GetProperty("rows").GetInt32());
        Assert.Equal(2, root.GetProperty("publicRows").GetInt32());
        Assert.Equal(2, root.GetProperty("privateRows").GetInt32());
        Assert.True(root.GetProperty("public").ValueKind == JsonValueKind.Number);
        if (metric.StartsWith("coco", StringComparison.Ordinal))
        {
            foreach (var key in new[] { "ap", "ap50", "ap75", "aps", "apm", "apl", "ar1", "ar10", "ar100" })
            {
                Assert.True(root.GetProperty("details").TryGetProperty(key, out _), key);
            }
            Assert.True(root.GetProperty("perClass").TryGetProperty("PLASTIC_BOTTLE", out _));
        }
    }

    [Fact]
    public void A_submission_naming_an_unknown_image_exits_with_2_and_names_it()
    {
        var bad = Write("bad.json", """[{"image_id":42,"category_id":1,"bbox":[1,1,5,5],"score":0.5}]""");
        var (exitCode, output, _) = Run("score", "--solution", Gold(), "--submission", bad, "--metric", "coco_map", "--json");
        Assert.Equal(2, exitCode);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("submission", json.RootElement.GetProperty("file").GetString());
        Assert.Contains("42", json.RootElement.GetProperty("errors")[0].GetProperty("message").GetString());
    }

    [Fact]
    public void Format_forces_the_reader_and_is_refused_for_csv_metrics()
    {
        var (exitCode, output, _) = Run("score", "--solution", Gold(), "--submission", Detections(), "--metric", "coco_map", "--format", "cvat", "--json");
        Assert.Equal(2, exitCode);
        Assert.Contains("errors", output);
        var (csvExit, _, csvError) = Run("score", "--solution", Gold(), "--submission", Detections(), "--metric", "accuracy", "--format", "coco");
        Assert.Equal(1, csvExit);
        Assert.Contains("--format applies to the annotation metrics", csvError);
    }

    [Fact]
    public void Gold_with_an_annotation_id_of_0_is_scored_with_a_warning_on_stderr()
    {
        var gold = Write("gold0.json", File.ReadAllText(Gold()).Replace("\"id\":1,\"image_id\":1", "\"id\":0,\"image_id\":1", StringComparison.Ordinal));

        var (exitCode, _, error) = Run("score", "--solution", gold, "--submission", Detections(), "--metric", "coco_map", "--json");

        Assert.Equal(0, exitCode);
        Assert.Contains("warning: gold0.json: annotations[0]: annotation id 0", error, StringComparison.Ordinal);
    }
}
