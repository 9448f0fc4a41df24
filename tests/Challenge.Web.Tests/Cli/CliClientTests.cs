using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Challenge.Core.Submissions;

namespace Challenge.Web.Tests.Cli;

// The tool's server commands against the real server in-process: its API, its scoring queue, its
// token checks.
public sealed partial class CliClientTests(CliSiteFixture fixture) : IClassFixture<CliSiteFixture>, IDisposable
{
    private readonly CompetitionSite _site = fixture.Site;
    private readonly CliRunner _cli = new(fixture.Site);

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Submit_with_wait_prints_the_public_score_and_exits_0()
    {
        var file = _cli.WriteFile("perfect.csv", CompetitionSite.PerfectCsv());

        var result = await _cli.RunAsync("submit", CompetitionSite.Slug, CompetitionSite.TaskSlug, file, "-m", "all right", "--wait", "--server", CliRunner.Server, "--token", _site.Ada.Token);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Public score: 1.000000", result.Output);
        var id = SubmissionId(result.Output);
        var stored = await _site.Ada.Api.GetFromJsonAsync<JsonElement>($"/api/submissions/{id}");
        Assert.Equal("scored", stored.GetProperty("status").GetString());
        Assert.Equal("perfect.csv", stored.GetProperty("fileName").GetString());
        Assert.Equal("all right", stored.GetProperty("description").GetString());
    }

    [Fact]
    public async Task Submit_of_a_bad_file_prints_each_error_with_its_line_and_exits_2()
    {
        var csv = CompetitionSite.PerfectCsv().Replace("\n2,", "\n1,", StringComparison.Ordinal);
        var file = _cli.WriteFile("duplicate.csv", csv);

        var result = await _cli.RunAsync("submit", CompetitionSite.Slug, CompetitionSite.TaskSlug, file, "--wait", "--server", CliRunner.Server, "--token", _site.Ada.Token);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("Rejected:", result.Output);
        // Row of Id 2 is line 4 (header on line 1); it now repeats Id 1.
        Assert.Matches(@"duplicate\.csv:4:1: .*'1'", result.Output);
    }

    [Fact]
    public async Task Submit_without_wait_prints_the_id_of_the_queued_submission()
    {
        var file = _cli.WriteFile("queued.csv", CompetitionSite.PerfectCsv());

        var result = await _cli.RunAsync("submit", CompetitionSite.Slug, CompetitionSite.TaskSlug, file, "--server", CliRunner.Server, "--token", _site.Bob.Token);

        Assert.True(result.ExitCode == 0, result.ToString());
        var submission = await _site.WaitForScoringAsync(SubmissionId(result.Output));
        Assert.Equal(_site.Bob.TeamId, submission.TeamId);
    }

    [Fact]
    public async Task Submit_to_an_unknown_task_shows_the_servers_detail()
    {
        var file = _cli.WriteFile("any.csv", CompetitionSite.PerfectCsv());

        var result = await _cli.RunAsync("submit", CompetitionSite.Slug, "no-such-task", file, "--server", CliRunner.Server, "--token", _site.Ada.Token);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("No task 'no-such-task' in challenge 'floor'. (HTTP 404)", result.Error);
    }

    [Fact]
    public async Task Submissions_lists_the_teams_submissions_as_a_table_and_as_json()
    {
        var accepted = await (await _site.SubmitAsync(_site.Bob, CompetitionSite.PerfectCsv(), "listed.csv")).Content.ReadFromJsonAsync<JsonElement>();
        var id = accepted.GetProperty("id").GetInt64();
        Assert.Equal(SubmissionStatus.Scored, (await _site.WaitForScoringAsync(id)).Status);

        var table = await _cli.RunAsync("submissions", CompetitionSite.Slug, "--server", CliRunner.Server, "--token", _site.Bob.Token);
        var json = await _cli.RunAsync("submissions", CompetitionSite.Slug, "--json", "--server", CliRunner.Server, "--token", _site.Bob.Token);

        Assert.True(table.ExitCode == 0, table.ToString());
        var row = table.Output.Split('\n').Single(line => line.Contains("listed.csv", StringComparison.Ordinal));
        Assert.Matches($@"^\s*{id}\s+floor-type\s+\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d\s+scored\s+1\.000000\s", row);
        Assert.True(json.ExitCode == 0, json.ToString());
        var listed = JsonDocument.Parse(json.Output).RootElement.EnumerateArray().Single(s => s.GetProperty("id").GetInt64() == id);
        Assert.Equal("scored", listed.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Leaderboard_shows_the_team_with_its_score_without_a_token()
    {
        var accepted = await (await _site.SubmitAsync(_site.Ada, CompetitionSite.PerfectCsv())).Content.ReadFromJsonAsync<JsonElement>();
        await _site.WaitForScoringAsync(accepted.GetProperty("id").GetInt64());

        var table = await _cli.RunAsync("leaderboard", CompetitionSite.Slug, "--server", CliRunner.Server);
        var csv = await _cli.RunAsync("leaderboard", CompetitionSite.Slug, "--task", CompetitionSite.TaskSlug, "--csv", "--server", CliRunner.Server);
        var json = await _cli.RunAsync("leaderboard", CompetitionSite.Slug, "--json", "--server", CliRunner.Server);

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("floor / floor-type: public leaderboard, accuracy (higher is better)", table.Output);
        Assert.Matches(@"(?m)^\s*1\s+Abyssal\s+ada\S*\s+1\.000000\s+\d+\s", table.Output);
        Assert.StartsWith("rank,team,members,score,entries,last_submission,is_baseline\n", csv.Output);
        Assert.Contains("\n1,Abyssal,", csv.Output);
        var entries = JsonDocument.Parse(json.Output).RootElement.GetProperty("entries").EnumerateArray().ToList();
        Assert.Contains(entries, e => e.GetProperty("team").GetString() == "Abyssal" && e.GetProperty("rank").GetInt32() == 1);
    }

    [Fact]
    public async Task Leaderboard_of_an_unknown_challenge_says_so()
    {
        var result = await _cli.RunAsync("leaderboard", "no-such-challenge", "--server", CliRunner.Server);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal("error: No challenge 'no-such-challenge'. (HTTP 404)", result.Error.Trim());
    }

    [Fact]
    public async Task Private_leaderboard_before_the_reveal_shows_the_servers_reason()
    {
        var result = await _cli.RunAsync("leaderboard", CompetitionSite.Slug, "--private", "--server", CliRunner.Server, "--token", _site.Ada.Token);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("The private leaderboard is revealed after the final deadline. (HTTP 403)", result.Error);
    }

    [Fact]
    public async Task Download_fetches_data_files_checked_against_their_sha256_and_the_sample_submission()
    {
        var content = "Id,Image\n" + string.Concat(Enumerable.Range(0, 5000).Select(i => $"{i},img_{i:D5}.png\n"));
        var upload = await _site.Organizer.Api.PostAsync($"/api/challenges/{CompetitionSite.Slug}/data?fileName=train.csv&description=Training+images",
            new ByteArrayContent(Encoding.UTF8.GetBytes(content)));
        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        var folder = Path.Combine(_cli.Folder, "data");

        var first = await _cli.RunAsync("download", CompetitionSite.Slug, "--out", folder, "--server", CliRunner.Server, "--token", _site.Ada.Token);
        var again = await _cli.RunAsync("download", CompetitionSite.Slug, "--file", "train.csv", "--out", folder, "--server", CliRunner.Server, "--token", _site.Ada.Token);
        var missing = await _cli.RunAsync("download", CompetitionSite.Slug, "--file", "test.csv", "--out", folder, "--server", CliRunner.Server, "--token", _site.Ada.Token);
        var sample = await _cli.RunAsync("download", CompetitionSite.Slug, "--sample", CompetitionSite.TaskSlug, "--out", folder, "--server", CliRunner.Server);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal(content, await File.ReadAllTextAsync(Path.Combine(folder, "train.csv")));
        Assert.Contains("train.csv", first.Output);
        Assert.Contains("(SHA-256 verified)", first.Output);
        Assert.False(File.Exists(Path.Combine(folder, "train.csv.part")));
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("train.csv is up to date", again.Output);
        Assert.True(missing.ExitCode == 1, missing.ToString());
        Assert.Contains("no data file 'test.csv'. The files are: train.csv.", missing.Error);
        Assert.True(sample.ExitCode == 0, sample.ToString());
        var sampleLines = await File.ReadAllLinesAsync(Path.Combine(folder, "sample_submission_floor-type.csv"));
        Assert.Equal("Id,Category", sampleLines[0]);
        Assert.Equal(41, sampleLines.Length);
    }

    [Fact]
    public async Task Download_of_the_sample_of_an_unknown_task_says_what_is_missing()
    {
        var result = await _cli.RunAsync("download", CompetitionSite.Slug, "--sample", "no-such-task", "--out", _cli.Folder, "--server", CliRunner.Server);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("no sample submission for task 'no-such-task' of 'floor'", result.Error);
    }

    [Fact]
    public async Task A_wrong_token_is_reported_as_refused_and_exits_1()
    {
        var result = await _cli.RunAsync("submissions", CompetitionSite.Slug, "--server", CliRunner.Server, "--token", "chl_not-a-real-token");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("the server refused the API token from --token (HTTP 401)", result.Error);
        Assert.Contains("http://localhost/account/tokens", result.Error);
        Assert.Empty(result.Output);
    }

    [Fact]
    public async Task A_missing_token_says_how_to_configure_one()
    {
        var result = await _cli.RunAsync("submissions", CompetitionSite.Slug, "--server", CliRunner.Server);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("this command needs an API token. Create one on http://localhost/account/tokens", result.Error);
        Assert.Contains("challenge configure --token TOKEN", result.Error);
        Assert.Contains("CHALLENGE_TOKEN", result.Error);
    }

    [Fact]
    public async Task A_missing_server_says_how_to_configure_one()
    {
        var result = await _cli.RunAsync("leaderboard", CompetitionSite.Slug);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("no server address", result.Error);
        Assert.Contains("challenge configure --server URL", result.Error);
    }

    [Fact]
    public async Task An_unreachable_server_is_reported_as_such()
    {
        _cli.UseRealNetwork = true;

        // Port 9 (discard) is closed on a normal machine, so the connection is refused at once.
        var result = await _cli.RunAsync("leaderboard", CompetitionSite.Slug, "--server", "http://127.0.0.1:9");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.StartsWith("error: cannot reach the server at http://127.0.0.1:9/", result.Error);
    }

    [Fact]
    public async Task Configure_writes_a_private_file_that_the_environment_and_the_options_override()
    {
        var saved = await _cli.RunAsync("configure", "--server", CliRunner.Server, "--token", _site.Bob.Token);
        Assert.True(saved.ExitCode == 0, saved.ToString());
        using (var file = JsonDocument.Parse(await File.ReadAllTextAsync(_cli.ConfigPath)))
        {
            Assert.Equal("http://localhost/", file.RootElement.GetProperty("server").GetString());
            Assert.Equal(_site.Bob.Token, file.RootElement.GetProperty("token").GetString());
        }
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_cli.ConfigPath));
        }

        var fromFile = await _cli.RunAsync("submissions", CompetitionSite.Slug);
        _cli.Environment["CHALLENGE_TOKEN"] = "chl_revoked-long-ago";
        var fromEnvironment = await _cli.RunAsync("submissions", CompetitionSite.Slug);
        var fromOption = await _cli.RunAsync("submissions", CompetitionSite.Slug, "--token", _site.Bob.Token);
        var shown = await _cli.RunAsync("configure");

        Assert.True(fromFile.ExitCode == 0, fromFile.ToString());
        Assert.True(fromEnvironment.ExitCode == 1, fromEnvironment.ToString());
        Assert.Contains("refused the API token from CHALLENGE_TOKEN", fromEnvironment.Error);
        Assert.True(fromOption.ExitCode == 0, fromOption.ToString());
        Assert.Contains("(from CHALLENGE_TOKEN)", shown.Output);
        Assert.DoesNotContain(_site.Bob.Token, shown.Output);
        Assert.Contains($"http://localhost/ (from {_cli.ConfigPath})", shown.Output);
    }

    [Fact]
    public async Task Configure_keeps_the_saved_token_when_only_the_server_changes()
    {
        await _cli.RunAsync("configure", "--server", "http://old.example.org", "--token", _site.Ada.Token);

        var result = await _cli.RunAsync("configure", "--server", CliRunner.Server);
        var listed = await _cli.RunAsync("submissions", CompetitionSite.Slug);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(listed.ExitCode == 0, listed.ToString());
    }

    [Fact]
    public async Task A_broken_configuration_file_is_named_only_when_it_is_needed()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_cli.ConfigPath)!);
        await File.WriteAllTextAsync(_cli.ConfigPath, "{\"server\": ");

        var needed = await _cli.RunAsync("submissions", CompetitionSite.Slug);
        var notNeeded = await _cli.RunAsync("submissions", CompetitionSite.Slug, "--server", CliRunner.Server, "--token", _site.Ada.Token);

        Assert.True(needed.ExitCode == 1, needed.ToString());
        Assert.Contains($"the configuration file {_cli.ConfigPath} is not valid JSON", needed.Error);
        Assert.True(notNeeded.ExitCode == 0, notNeeded.ToString());
    }

    private static long SubmissionId(string output) => long.Parse(SubmittedLine().Match(output).Groups["id"].Value, System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"as submission (?<id>\d+) \(queued\)")]
    private static partial Regex SubmittedLine();
}
