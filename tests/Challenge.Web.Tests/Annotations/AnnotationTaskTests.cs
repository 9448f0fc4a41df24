using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Challenge.Core.Annotations;
using Challenge.Core.Data;
using Challenge.Core.Submissions;
using Challenge.Core.Tasks;
using Microsoft.EntityFrameworkCore;

namespace Challenge.Web.Tests.Annotations;

// An annotation task on the running challenge: the organizer uploads images and gold over the API, teams
// upload a Kili export and a YOLO zip through the same queue as CSV files, and the rules on who sees what hold.
public sealed class AnnotationTaskTests : IAsyncLifetime
{
    private const string TaskSlug = "river-plastic";
    private CompetitionSite _site = default!;
    private CompetitionTask _task = default!;

    private static string Route(string rest = "") => $"/api/challenges/{CompetitionSite.Slug}/tasks/{TaskSlug}{rest}";

    public async Task InitializeAsync()
    {
        _site = await CompetitionSite.StartAsync();
        var saved = await _site.Get<TaskService>().SaveAsync(_site.Challenge.Id, null, new TaskInput
        {
            Slug = TaskSlug, Title = "River plastic boxes", Family = TaskFamily.Annotation, Metric = "box_f1", PublicFraction = 0.5, SplitSeed = 7,
        }, _site.Organizer.Principal);
        Assert.True(saved.Succeeded, string.Join("; ", saved.Errors.Values));
        _task = saved.Saved!;
    }

    public async Task DisposeAsync() => await _site.DisposeAsync();

    private static ByteArrayContent Bytes(byte[] content, string type = "application/octet-stream")
    {
        var body = new ByteArrayContent(content);
        body.Headers.ContentType = new MediaTypeHeaderValue(type);
        return body;
    }

    private byte[] _imagesZip = [];

    private async Task SetUpAssetsAsync()
    {
        _imagesZip = AnnotationFixtures.ImagesZip();
        var images = await _site.Organizer.Api.PutAsync(Route("/images?fileName=frames.zip"), Bytes(_imagesZip));
        Assert.Equal(HttpStatusCode.OK, images.StatusCode);
        Assert.Contains("8 images (4 public, 4 private)", await images.Content.ReadAsStringAsync());
        var gold = await _site.Organizer.Api.PutAsync(Route("/gold?fileName=gold.json"), Bytes(AnnotationFixtures.GoldCoco()));
        Assert.Equal(HttpStatusCode.OK, gold.StatusCode);
        Assert.Contains("16 boxes", await gold.Content.ReadAsStringAsync());
    }

    private async Task<Submission> SubmitAsync(CompetitionSite.Participant who, byte[] content, string fileName)
    {
        var response = await who.Api.PostAsync(Route($"/submissions?fileName={fileName}"), Bytes(content));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        return await _site.WaitForScoringAsync(id);
    }

    [Fact]
    public async Task A_Kili_export_and_a_YOLO_zip_are_scored_and_ranked_on_the_task_leaderboard()
    {
        await SetUpAssetsAsync();

        var kili = await SubmitAsync(_site.Ada, AnnotationFixtures.Kili(AnnotationFixtures.Team(missing: 0)), "kili-export.json");
        Assert.Equal(SubmissionStatus.Scored, kili.Status);
        Assert.Equal(1.0, kili.PublicScore!.Value, 9);
        Assert.Equal(1.0, kili.PrivateScore!.Value, 9);

        // Two boxes missed out of 16: on the images labelled, recall falls and F1 with it.
        var yolo = await SubmitAsync(_site.Bob, AnnotationFixtures.Yolo(AnnotationFixtures.Team(missing: 2)), "labels.zip");
        Assert.Equal(SubmissionStatus.Scored, yolo.Status);
        Assert.True(yolo.OverallScore < 1.0);
        Assert.Equal(2.0 * 14 / (14 + 16), yolo.OverallScore!.Value, 9);
        using var detail = JsonDocument.Parse(yolo.DetailJson!);
        Assert.Equal(2, detail.RootElement.GetProperty("score").GetProperty("details").GetProperty("missed").GetDouble());
        Assert.Equal("Yolo", detail.RootElement.GetProperty("format").GetString());

        var board = await _site.Factory.CreateClient().GetFromJsonAsync<JsonElement>($"/api/challenges/{CompetitionSite.Slug}/leaderboard?task={TaskSlug}");
        Assert.Equal("box_f1", board.GetProperty("metric").GetString());
        Assert.True(board.GetProperty("higherIsBetter").GetBoolean());
        var entries = board.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(["Abyssal", "Benthic"], entries.Select(e => e.GetProperty("team").GetString()));
        Assert.Equal(1.0, entries[0].GetProperty("score").GetDouble(), 9);
    }

    [Fact]
    public async Task The_ranking_formula_weighs_how_much_each_team_labelled_against_the_most_labelled()
    {
        var saved = await _site.Get<TaskService>().SaveAsync(_site.Challenge.Id, _task.Id, new TaskInput
        {
            Slug = TaskSlug, Title = "River plastic boxes", Family = TaskFamily.Annotation, Metric = "box_f1", PublicFraction = 0.5, SplitSeed = 7,
            RankingFormula = "70 * labelled / max_labelled + 30 * f1",
        }, _site.Organizer.Principal);
        Assert.True(saved.Succeeded, string.Join("; ", saved.Errors.Values));
        await SetUpAssetsAsync();

        var all = await SubmitAsync(_site.Ada, AnnotationFixtures.Kili(AnnotationFixtures.Team(0)), "all.json");
        Assert.Equal(100.0, all.OverallScore!.Value, 9);
        var half = AnnotationFixtures.Team(0);
        half.Boxes.RemoveAll(b => b.ImageId > 4);
        var partial = await SubmitAsync(_site.Bob, AnnotationFixtures.Yolo(half), "half.zip");
        Assert.Equal(SubmissionStatus.Scored, partial.Status);
        // Four of the eight images, all right: 70 * 4 / 8 + 30 * 1.
        Assert.Equal(65.0, partial.OverallScore!.Value, 9);
    }

    [Fact]
    public async Task A_submission_naming_images_the_set_does_not_hold_is_rejected_with_the_names()
    {
        await SetUpAssetsAsync();
        var team = AnnotationFixtures.Team(0);
        team.Images[0] = team.Images[0] with { FileName = "frame_999.png" };
        var rejected = await SubmitAsync(_site.Ada, AnnotationFixtures.Kili(team), "kili.json");
        Assert.Equal(SubmissionStatus.Rejected, rejected.Status);
        Assert.Contains("frame_999.png", rejected.ErrorsJson);
        Assert.Contains("matches no image", rejected.ErrorsJson);
    }

    [Fact]
    public async Task Archives_with_a_climbing_entry_or_a_bomb_are_refused_naming_the_entry_and_store_nothing()
    {
        var png = AnnotationFixtures.Png(8, 8, 100);
        var traversal = AnnotationFixtures.ZipOf(("ok.png", png, CompressionLevel.Fastest), ("../../evil.png", png, CompressionLevel.Fastest));
        var bomb = AnnotationFixtures.ZipOf(("ok.png", png, CompressionLevel.Fastest), ("bomb.png", new byte[64 << 20], CompressionLevel.SmallestSize));
        var notImage = AnnotationFixtures.ZipOf(("ok.png", png, CompressionLevel.Fastest), ("notes.txt", "hello"u8.ToArray(), CompressionLevel.Fastest));
        var storedBefore = await CountStoredAsync();
        var filesBefore = FilesOnDisk();

        foreach (var (archive, entry, reason) in new[] { (traversal, "../../evil.png", "climb"), (bomb, "bomb.png", "zip bomb"), (notImage, "notes.txt", "not a PNG or JPEG") })
        {
            var response = await _site.Organizer.Api.PutAsync(Route("/images?fileName=upload.zip"), Bytes(archive));
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            var error = body.GetProperty("errors")[0];
            Assert.Equal($"upload.zip/{entry}", error.GetProperty("entry").GetString());
            Assert.Contains(reason, error.GetProperty("message").GetString());
        }

        Assert.Equal(storedBefore, await CountStoredAsync());
        Assert.Equal(filesBefore, FilesOnDisk());
        await using var db = await _site.Get<IDbContextFactory<ChallengeDbContext>>().CreateDbContextAsync();
        Assert.False(await db.AssetImages.AnyAsync());
        Assert.Null((await db.Tasks.SingleAsync(t => t.Id == _task.Id)).ImagesFileId);
    }

    [Fact]
    public async Task Gold_with_an_annotation_id_of_0_is_accepted_and_the_organizer_is_warned()
    {
        Assert.Equal(HttpStatusCode.OK, (await _site.Organizer.Api.PutAsync(Route("/images?fileName=frames.zip"), Bytes(AnnotationFixtures.ImagesZip()))).StatusCode);
        var gold = AnnotationFixtures.Gold();
        gold.Boxes[0] = gold.Boxes[0] with { Id = 0 };

        var response = await _site.Organizer.Api.PutAsync(Route("/gold?fileName=gold.json"), Bytes(Challenge.Annotations.Formats.AnnotationWriter.Write(gold, Challenge.Annotations.Formats.AnnotationFormat.Coco)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var warning = Assert.Single(body.GetProperty("warnings").EnumerateArray());
        Assert.Contains("annotations[0]: annotation id 0", warning.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("Warning:", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gold_that_names_an_image_the_archive_lacks_is_refused_with_the_name()
    {
        Assert.Equal(HttpStatusCode.OK, (await _site.Organizer.Api.PutAsync(Route("/images?fileName=frames.zip"), Bytes(AnnotationFixtures.ImagesZip()))).StatusCode);
        var gold = AnnotationFixtures.Gold();
        gold.Images.Add(new Challenge.Annotations.Model.ImageInfo(99, "missing_frame.png", 64, 48));
        gold.Boxes.Add(new Challenge.Annotations.Model.BoxAnnotation(99, 99, 1, 1, 1, 10, 10));
        var response = await _site.Organizer.Api.PutAsync(Route("/gold?fileName=gold.json"), Bytes(Challenge.Annotations.Formats.AnnotationWriter.Write(gold, Challenge.Annotations.Formats.AnnotationFormat.Coco)));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("missing_frame.png", await response.Content.ReadAsStringAsync());
        await using var db = await _site.Get<IDbContextFactory<ChallengeDbContext>>().CreateDbContextAsync();
        Assert.Null((await db.Tasks.SingleAsync(t => t.Id == _task.Id)).SolutionFileId);
    }

    [Fact]
    public async Task Participants_get_images_and_pre_annotations_but_never_gold_and_only_after_accepting_the_rules()
    {
        await SetUpAssetsAsync();
        var pre = await _site.Organizer.Api.PutAsync(Route("/pre-annotations?fileName=baseline.zip"), Bytes(AnnotationFixtures.Yolo(AnnotationFixtures.Team(4))));
        Assert.Equal(HttpStatusCode.OK, pre.StatusCode);

        // A team member: images page by page, one image, the whole zip, pre-annotations in every format.
        var page = await _site.Ada.Api.GetFromJsonAsync<JsonElement>(Route("/images?page=2&pageSize=3"));
        Assert.Equal(8, page.GetProperty("total").GetInt32());
        Assert.Equal(["frame_003.png", "frame_004.png", "frame_005.png"], page.GetProperty("images").EnumerateArray().Select(i => i.GetProperty("fileName").GetString()));
        var image = await _site.Ada.Api.GetAsync(Route("/images/1"));
        Assert.Equal("image/png", image.Content.Headers.ContentType!.MediaType);
        Assert.Equal(AnnotationFixtures.Png(AnnotationFixtures.Width, AnnotationFixtures.Height, 40), await image.Content.ReadAsByteArrayAsync());
        var zip = await _site.Ada.Browser.GetAsync(Route("/images.zip"));
        Assert.Equal(_imagesZip, await zip.Content.ReadAsByteArrayAsync());
        foreach (var format in new[] { "coco", "coco_results", "kili", "yolo", "voc", "label_studio", "cvat" })
        {
            var export = await _site.Ada.Api.GetAsync(Route($"/pre-annotations?format={format}"));
            Assert.Equal(HttpStatusCode.OK, export.StatusCode);
            var read = Challenge.Annotations.Formats.AnnotationReader.Read(await export.Content.ReadAsByteArrayAsync(), $"pre.{format}",
                new Challenge.Annotations.Formats.AnnotationReadOptions { Reference = AnnotationFixtures.Gold() });
            Assert.True(read.Succeeded, $"{format}: {string.Join("; ", read.Errors)}");
            Assert.Equal(12, read.Value!.Boxes.Count);
        }

        // Gold: organizers only, in any format; a participant gets nothing, with a token or a cookie.
        Assert.Equal(HttpStatusCode.NotFound, (await _site.Ada.Api.GetAsync(Route("/gold?format=coco"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _site.Ada.Browser.GetAsync(Route("/gold?format=yolo"))).StatusCode);
        var goldExport = await _site.Organizer.Api.GetAsync(Route("/gold?format=voc"));
        Assert.Equal(HttpStatusCode.OK, goldExport.StatusCode);
        Assert.Equal(16, Challenge.Annotations.Formats.AnnotationReader.Read(await goldExport.Content.ReadAsByteArrayAsync(), "gold.zip",
            new Challenge.Annotations.Formats.AnnotationReadOptions { Reference = AnnotationFixtures.Gold() }).Value!.Boxes.Count);

        // Someone who has not accepted the rules, and someone not signed in.
        var carol = await _site.AccountAsync("carol");
        Assert.Equal(HttpStatusCode.Forbidden, (await carol.Api.GetAsync(Route("/images/1"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await carol.Api.GetAsync(Route("/images.zip"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await carol.Api.GetAsync(Route("/pre-annotations"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _site.Factory.CreateClient().GetAsync(Route("/images/1"))).StatusCode);

        // Participants cannot replace the organizer's files.
        Assert.Equal(HttpStatusCode.NotFound, (await _site.Ada.Api.PutAsync(Route("/gold?fileName=gold.json"), Bytes(AnnotationFixtures.GoldCoco()))).StatusCode);
    }

    private async Task<int> CountStoredAsync()
    {
        await using var db = await _site.Get<IDbContextFactory<ChallengeDbContext>>().CreateDbContextAsync();
        return await db.StoredFiles.CountAsync();
    }

    private int FilesOnDisk()
    {
        var root = Path.Combine(_site.Get<Challenge.Core.Storage.ChallengePaths>().DataDirectory, "files");
        return Directory.Exists(root) ? Directory.GetFiles(root, "*", SearchOption.AllDirectories).Length : 0;
    }
}
