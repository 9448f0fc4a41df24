using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Challenge.Annotations.Formats;
using Challenge.Annotations.Model;
using Challenge.Annotations.Safety;
using Challenge.Core.Teams;
using Microsoft.Extensions.DependencyInjection;

namespace Challenge.Web.Tests.Hostile;

// The hostile-input corpus against the real HTTP pipeline. Every case checks three things: a
// clear refusal (status code, and a message naming the line, column, entry or field at fault), a
// server that still answers /health, and a database and data folder that did not change (or,
// for a scored upload, changed by nothing but the rejected submission kept in the history).
public sealed class HostileInputTests(HostileSite fixture) : IClassFixture<HostileSite>
{
    private CompetitionSite Site => fixture.Site;

    private static string SubmitPath(string? query = null) =>
        $"/api/challenges/{CompetitionSite.Slug}/tasks/{CompetitionSite.TaskSlug}/submissions{query}";

    public static TheoryData<string> CsvFiles() => [.. HostileCorpus.CsvCases.Select(c => c.File)];

    public static TheoryData<string> BadSolutionFiles() => [.. HostileCorpus.CsvCases.Where(c => c.AlsoBadSolution).Select(c => c.File)];

    [Theory]
    [MemberData(nameof(CsvFiles))]
    public async Task A_hostile_submission_is_rejected_naming_the_line_and_changes_no_score_or_quota(string file)
    {
        var expected = HostileCorpus.CsvCases.Single(c => c.File == file);
        var participant = await fixture.NewParticipantAsync();
        var before = await fixture.CaptureAsync();

        var response = await participant.Api.PostAsync(SubmitPath($"?fileName={Uri.EscapeDataString(Path.GetFileName(file))}"),
            new ByteArrayContent(HostileCorpus.Load(file)));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        await Site.WaitForScoringAsync(id);
        var submission = await participant.Api.GetFromJsonAsync<JsonElement>($"/api/submissions/{id}");
        Assert.Equal("rejected", submission.GetProperty("status").GetString());
        var first = submission.GetProperty("errors").EnumerateArray().First();
        Assert.Equal(expected.Line, first.GetProperty("line").ValueKind == JsonValueKind.Null ? null : first.GetProperty("line").GetInt32());
        Assert.Equal(expected.Column, first.GetProperty("column").ValueKind == JsonValueKind.Null ? null : first.GetProperty("column").GetInt32());
        Assert.Contains(expected.Message, first.GetProperty("message").GetString(), StringComparison.Ordinal);
        await fixture.AssertHealthyAsync();
        (await fixture.CaptureAsync()).AssertOnlyRejectedSubmissionAdded(before, id);
    }

    [Theory]
    [MemberData(nameof(BadSolutionFiles))]
    public async Task A_hostile_solution_is_refused_with_422_and_the_old_solution_stays(string file)
    {
        var before = await fixture.CaptureAsync();

        var response = await Site.Organizer.Api.PutAsync($"/api/challenges/{CompetitionSite.Slug}/tasks/{CompetitionSite.TaskSlug}/solution?fileName=solution.csv",
            new ByteArrayContent(HostileCorpus.Load(file)));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray().ToList();
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.False(string.IsNullOrWhiteSpace(e.GetProperty("message").GetString())));
        await fixture.AssertHealthyAsync();
        (await fixture.CaptureAsync()).AssertSameAs(before);
    }

    [Fact]
    public async Task A_file_over_the_tasks_size_limit_is_refused_with_413_while_streaming_and_nothing_is_kept()
    {
        var participant = await fixture.NewParticipantAsync();
        var before = await fixture.CaptureAsync();

        var response = await participant.Api.PostAsync(SubmitPath("?fileName=oversized.csv"), new ByteArrayContent(HostileCorpus.Load(HostileCorpus.Generated.Oversized)));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("larger than the limit", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        await fixture.AssertHealthyAsync();
        (await fixture.CaptureAsync()).AssertSameAs(before);
    }

    // Where an archive or an XML file can be uploaded today, with the entry and message of its
    // refusal. The annotation upload route adds one line here when it lands.
    public static readonly IReadOnlyDictionary<string, Func<HostileInputTests, string, byte[], HostileCorpus.ArchiveCase, Task<AnnotationError>>> ArchiveRoutes =
        new Dictionary<string, Func<HostileInputTests, string, byte[], HostileCorpus.ArchiveCase, Task<AnnotationError>>>
        {
            ["safe-readers"] = (_, name, bytes, @case) => Task.FromResult(ReadSafely(name, bytes, @case)),
        };

    public static TheoryData<string, string> ArchiveFiles()
    {
        var data = new TheoryData<string, string>();
        foreach (var route in ArchiveRoutes.Keys)
        {
            foreach (var @case in HostileCorpus.ArchiveCases)
            {
                data.Add(route, @case.File);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ArchiveFiles))]
    public async Task A_hostile_archive_or_xml_file_is_refused_naming_the_entry(string route, string file)
    {
        var expected = HostileCorpus.ArchiveCases.Single(c => c.File == file);
        var before = await fixture.CaptureAsync();

        var error = await ArchiveRoutes[route](this, Path.GetFileName(file), HostileCorpus.Load(file), expected);

        if (expected.EntryPrefix)
        {
            Assert.StartsWith(expected.Entry, error.Entry, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(expected.Entry, error.Entry);
        }
        Assert.Contains(expected.Message, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("root:", error.Message, StringComparison.Ordinal);
        await fixture.AssertHealthyAsync();
        (await fixture.CaptureAsync()).AssertSameAs(before);
    }

    private static AnnotationError ReadSafely(string name, byte[] bytes, HostileCorpus.ArchiveCase @case)
    {
        if (name.EndsWith(".xml", StringComparison.Ordinal))
        {
            var refused = Assert.Throws<AnnotationFormatException>(() => SafeXml.Load(bytes, name));
            return refused.Error;
        }
        if (name.EndsWith(".json", StringComparison.Ordinal))
        {
            return Assert.Single(AnnotationReader.Read(bytes, name).Errors);
        }
        var limits = @case.MaxEntries is int max ? new ZipLimits { MaxEntries = max } : ZipLimits.Default;
        var result = SafeZip.Read(bytes, name, limits);
        // An archive that unpacks safely can still hold a hostile file; the annotation reader must refuse that one.
        return Assert.Single(result.Succeeded ? AnnotationReader.Read(bytes, name, new AnnotationReadOptions { ZipLimits = limits }).Errors : result.Errors);
    }

    // Text that a browser would run if it were written into a page unescaped, planted where
    // participants and organizers can write, then read back from the pages and the JSON.
    private const string Script = "<script>alert('x')</script>";
    private const string ImageHandler = "<img src=x onerror=alert(1)>";

    [Theory]
    [InlineData(Script)]
    [InlineData(ImageHandler)]
    [InlineData("<svg/onload=alert(1)>")]
    public async Task Markup_in_a_team_name_is_served_escaped_on_the_board_page_and_in_the_json(string name)
    {
        var participant = await fixture.NewParticipantAsync(name);
        var response = await Site.SubmitAsync(participant, CompetitionSite.PerfectCsv());
        await Site.WaitForScoringAsync((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
        var before = await fixture.CaptureAsync();

        var page = await Site.Factory.CreateClient().GetStringAsync($"/challenges/{CompetitionSite.Slug}/leaderboard");
        var teamPage = await participant.Browser.GetStringAsync($"/challenges/{CompetitionSite.Slug}/team");
        var json = await Site.Factory.CreateClient().GetAsync($"/api/challenges/{CompetitionSite.Slug}/leaderboard");

        AssertEscaped(page, name);
        AssertEscaped(teamPage, name);
        AssertServedAsData(json);
        var board = JsonDocument.Parse(await json.Content.ReadAsStringAsync()).RootElement.GetProperty("entries").EnumerateArray();
        Assert.Contains(board, e => e.GetProperty("team").GetString() == name);
        await fixture.AssertHealthyAsync();
        (await fixture.CaptureAsync()).AssertSameAs(before);
    }

    [Theory]
    [InlineData("\u202Eevil\u202C")]
    [InlineData("tab\tname")]
    [InlineData("new\nline")]
    [InlineData("nul\0name")]
    public async Task A_team_name_with_control_or_direction_characters_is_refused(string name)
    {
        var participant = await Site.AccountAsync($"named{Guid.NewGuid():N}"[..13]);
        await Site.Get<TeamService>().AcceptRulesAsync(Site.Challenge.Id, participant.UserId);
        var before = await fixture.CaptureAsync();

        var result = await Site.Get<TeamService>().CreateAsync(Site.Challenge.Id, participant.UserId, name);

        Assert.False(result.Succeeded);
        Assert.Contains("invisible or control characters", result.Error, StringComparison.Ordinal);
        await fixture.AssertHealthyAsync();
        (await fixture.CaptureAsync()).AssertSameAs(before);
    }

    [Fact]
    public async Task Markdown_with_raw_html_scripts_and_javascript_links_is_rendered_harmless()
    {
        var slug = "md-hostile";
        await Site.Factory.CreateChallengeAsync(slug, overview: $"""
            # Overview {Script}

            {ImageHandler}

            <iframe src="https://evil.example"></iframe>

            [click me](javascript:alert(1)) and [data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)

            ![pixel](javascript:alert(2))

            <a href="javascript:alert(3)">raw link</a>
            """);
        var before = await fixture.CaptureAsync();

        var page = await Site.Factory.CreateClient().GetStringAsync($"/challenges/{slug}");

        var overview = page[page.IndexOf("data-testid=\"challenge-overview\"", StringComparison.Ordinal)..];
        overview = overview[..overview.IndexOf("</article>", StringComparison.Ordinal)];
        Assert.DoesNotContain("<script", overview, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img src=x", overview, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<iframe", overview, StringComparison.OrdinalIgnoreCase);
        // Escaped text may mention javascript:, but no live attribute may hold such a URL.
        Assert.False(System.Text.RegularExpressions.Regex.IsMatch(overview, "(href|src)\\s*=\\s*[\"']?\\s*(javascript|data|vbscript):", System.Text.RegularExpressions.RegexOptions.IgnoreCase), overview);
        Assert.Contains("&lt;script&gt;", overview, StringComparison.Ordinal);
        Assert.Contains("click me", overview, StringComparison.Ordinal);
        await fixture.AssertHealthyAsync();
        (await fixture.CaptureAsync()).AssertSameAs(before);
    }

    [Fact]
    public async Task Markup_in_a_submission_description_and_file_name_is_served_escaped()
    {
        var participant = await fixture.NewParticipantAsync();
        var response = await participant.Api.PostAsync(
            SubmitPath($"?description={Uri.EscapeDataString(Script)}&fileName={Uri.EscapeDataString(ImageHandler + ".csv")}"),
            new StringContent(CompetitionSite.PerfectCsv(), Encoding.UTF8, "text/csv"));
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        await Site.WaitForScoringAsync(id);
        var before = await fixture.CaptureAsync();

        var page = await participant.Browser.GetStringAsync($"/challenges/{CompetitionSite.Slug}/submissions");
        var json = await participant.Api.GetAsync($"/api/submissions/{id}");

        AssertEscaped(page, Script);
        AssertEscaped(page, ImageHandler);
        AssertServedAsData(json);
        Assert.Equal(Script, JsonDocument.Parse(await json.Content.ReadAsStringAsync()).RootElement.GetProperty("description").GetString());
        await fixture.AssertHealthyAsync();
        (await fixture.CaptureAsync()).AssertSameAs(before);
    }

    [Fact]
    public async Task Markup_in_a_data_file_name_and_description_is_served_escaped()
    {
        var upload = await Site.Organizer.Api.PostAsync(
            $"/api/challenges/{CompetitionSite.Slug}/data?fileName={Uri.EscapeDataString(ImageHandler + ".csv")}&description={Uri.EscapeDataString(Script)}",
            new StringContent("Id\n1\n", Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        var participant = await fixture.NewParticipantAsync();
        var before = await fixture.CaptureAsync();

        var page = await participant.Browser.GetStringAsync($"/challenges/{CompetitionSite.Slug}/data");
        var json = await participant.Api.GetAsync($"/api/challenges/{CompetitionSite.Slug}/data");

        AssertEscaped(page, ImageHandler);
        AssertEscaped(page, Script);
        AssertServedAsData(json);
        await fixture.AssertHealthyAsync();
        (await fixture.CaptureAsync()).AssertSameAs(before);
    }

    // A line break in a file name must never reach a response header (Content-Disposition): an
    // organizer's data file name is refused, a participant's submission name loses the characters.
    [Fact]
    public async Task A_data_file_name_with_a_line_break_is_refused_with_400_and_nothing_is_stored()
    {
        var before = await fixture.CaptureAsync();

        var upload = await Site.Organizer.Api.PostAsync($"/api/challenges/{CompetitionSite.Slug}/data?fileName={Uri.EscapeDataString(HeaderInjection)}",
            new StringContent("Id\n1\n", Encoding.UTF8, "text/csv"));

        Assert.Equal(HttpStatusCode.BadRequest, upload.StatusCode);
        Assert.Contains("file name contains invisible or control characters", (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        await fixture.AssertHealthyAsync();
        (await fixture.CaptureAsync()).AssertSameAs(before);
    }

    [Fact]
    public async Task A_line_break_in_a_submission_file_name_cannot_inject_a_header_into_its_download()
    {
        var participant = await fixture.NewParticipantAsync();
        var response = await participant.Api.PostAsync(SubmitPath($"?fileName={Uri.EscapeDataString(HeaderInjection)}"), new StringContent(CompetitionSite.PerfectCsv(), Encoding.UTF8, "text/csv"));
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        await Site.WaitForScoringAsync(id);
        var before = await fixture.CaptureAsync();

        var download = await participant.Browser.GetAsync($"/challenges/{CompetitionSite.Slug}/submissions/{id}/file");

        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.False(download.Headers.Contains("X-Injected"));
        Assert.False(download.Headers.Contains("Set-Cookie"));
        var disposition = download.Content.Headers.ContentDisposition!;
        Assert.Equal("evilSet-Cookie: stolen=1X-Injected: 1.csv", disposition.FileNameStar ?? disposition.FileName!.Trim('"'));
        await fixture.AssertHealthyAsync();
        (await fixture.CaptureAsync()).AssertSameAs(before);
    }

    private const string HeaderInjection = "evil\r\nSet-Cookie: stolen=1\r\nX-Injected: 1.csv";

    // Spreadsheets run a cell starting with = + - @ (or a tab or carriage return) as a formula.
    [Theory]
    [InlineData("=")]
    [InlineData("+")]
    [InlineData("-")]
    [InlineData("@")]
    [InlineData("\t")]
    [InlineData("\r")]
    public async Task No_exported_cell_starts_a_formula(string prefix)
    {
        var payload = prefix + "HYPERLINK(\"http://evil.example\",\"x\")";
        // Team names refuse control characters, so a tab or carriage return reaches only the description.
        var participant = char.IsControl(prefix[0]) ? await fixture.NewParticipantAsync() : await fixture.NewParticipantAsync(payload);
        var response = await participant.Api.PostAsync(
            SubmitPath($"?description={Uri.EscapeDataString(payload)}&fileName={Uri.EscapeDataString(prefix + "cmd.csv")}"),
            new StringContent(CompetitionSite.PerfectCsv(), Encoding.UTF8, "text/csv"));
        await Site.WaitForScoringAsync((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
        var before = await fixture.CaptureAsync();

        var submissions = await Site.Organizer.Api.GetStringAsync($"/api/challenges/{CompetitionSite.Slug}/submissions.csv");
        var board = await Site.Factory.CreateClient().GetStringAsync($"/api/challenges/{CompetitionSite.Slug}/leaderboard.csv");

        foreach (var csv in new[] { submissions, board })
        {
            foreach (var cell in Cells(csv))
            {
                Assert.False(cell.Length > 0 && "=+@\t\r".Contains(cell[0]), $"The exported cell [{cell}] starts a formula.");
                Assert.False(cell.StartsWith('-') && !double.TryParse(cell, System.Globalization.CultureInfo.InvariantCulture, out _), $"The exported cell [{cell}] starts a formula.");
            }
        }
        Assert.Contains(Cells(submissions), c => c.Contains("HYPERLINK", StringComparison.Ordinal) && (c.StartsWith('\'') || c.StartsWith("HYPERLINK", StringComparison.Ordinal)));
        await fixture.AssertHealthyAsync();
        (await fixture.CaptureAsync()).AssertSameAs(before);
    }

    public static TheoryData<string> AntiforgeryCases() => ["login without a token", "login with a forged token", "login with another browser's token", "register without a token", "logout without a token"];

    [Theory]
    [MemberData(nameof(AntiforgeryCases))]
    public async Task A_form_post_without_a_valid_antiforgery_token_is_refused_with_400(string @case)
    {
        var victim = await fixture.NewParticipantAsync();
        var attacker = Site.Factory.CreateBrowserLikeClient();
        var mine = $"/api/challenges/{Site.Challenge.Slug}/submissions";
        Assert.Equal(HttpStatusCode.OK, (await victim.Api.GetAsync(mine)).StatusCode);
        var path = @case.StartsWith("register", StringComparison.Ordinal) ? "/account/register" : "/account/login";
        var form = @case.StartsWith("logout", StringComparison.Ordinal) ? new Dictionary<string, string>() : await ChallengeWebFactory.FormFieldsAsync(attacker, path);
        form["Input.Email"] = @case.StartsWith("register", StringComparison.Ordinal) ? "newcomer@example.org" : victim.Email;
        form["Input.Password"] = "correct-horse-1";
        form["Input.ConfirmPassword"] = "correct-horse-1";
        form["Input.DisplayName"] = "Newcomer";
        switch (@case)
        {
            case "login with a forged token":
                form["__RequestVerificationToken"] = "CfDJ8forged" + new string('A', 120);
                break;
            case "login with another browser's token":
                form["__RequestVerificationToken"] = (await ChallengeWebFactory.FormFieldsAsync(Site.Factory.CreateBrowserLikeClient(), path))["__RequestVerificationToken"];
                break;
            default:
                form.Remove("__RequestVerificationToken");
                break;
        }
        var client = @case.StartsWith("logout", StringComparison.Ordinal) ? victim.Browser : attacker;
        var before = await fixture.CaptureAsync();

        var response = await client.PostAsync(@case.StartsWith("logout", StringComparison.Ordinal) ? "/account/logout" : path, new FormUrlEncodedContent(form));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("challenge.auth=", StringComparison.Ordinal) && !c.StartsWith("challenge.auth=;", StringComparison.Ordinal)));
        // The victim is still signed in after a forged logout; the attacker is not signed in.
        var account = await victim.Browser.GetAsync("/account/tokens");
        Assert.Equal(HttpStatusCode.OK, account.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await attacker.GetAsync("/account/tokens")).StatusCode);
        await fixture.AssertHealthyAsync();
        (await fixture.CaptureAsync()).AssertSameAs(before);
    }

    public static TheoryData<string> IdorCases() =>
    [
        "a participant reads another team's submission",
        "a participant downloads another team's submission file",
        "a participant downloads their own file through another challenge's address",
        "a participant downloads a draft challenge's data file by id through a published challenge",
        "a participant downloads a draft challenge's data file",
        "an organizer of another challenge reads a submission",
        "an organizer of another challenge exports its submissions",
        "an organizer of another challenge uploads a data file to it",
        "an organizer of another challenge replaces its solution",
    ];

    [Theory]
    [MemberData(nameof(IdorCases))]
    public async Task Another_users_ids_in_api_calls_answer_like_missing_ones(string @case)
    {
        var owner = await fixture.NewParticipantAsync();
        var intruder = await fixture.NewParticipantAsync();
        var submitted = await Site.SubmitAsync(owner, CompetitionSite.PerfectCsv());
        var id = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        await Site.WaitForScoringAsync(id);
        var (rival, draftFileId) = await RivalOrganizerAsync();
        var before = await fixture.CaptureAsync();

        var response = @case switch
        {
            "a participant reads another team's submission" => await intruder.Api.GetAsync($"/api/submissions/{id}"),
            "a participant downloads another team's submission file" => await intruder.Browser.GetAsync($"/challenges/{CompetitionSite.Slug}/submissions/{id}/file"),
            "a participant downloads their own file through another challenge's address" => await owner.Browser.GetAsync($"/challenges/rival-draft/submissions/{id}/file"),
            "a participant downloads a draft challenge's data file by id through a published challenge" => await owner.Browser.GetAsync($"/challenges/{CompetitionSite.Slug}/files/{draftFileId}"),
            "a participant downloads a draft challenge's data file" => await owner.Browser.GetAsync($"/challenges/rival-draft/files/{draftFileId}"),
            "an organizer of another challenge reads a submission" => await rival.Api.GetAsync($"/api/submissions/{id}"),
            "an organizer of another challenge exports its submissions" => await rival.Api.GetAsync($"/api/challenges/{CompetitionSite.Slug}/submissions.csv"),
            "an organizer of another challenge uploads a data file to it" => await rival.Api.PostAsync($"/api/challenges/{CompetitionSite.Slug}/data?fileName=train.csv", new StringContent("Id\n1\n")),
            "an organizer of another challenge replaces its solution" => await rival.Api.PutAsync(
                $"/api/challenges/{CompetitionSite.Slug}/tasks/{CompetitionSite.TaskSlug}/solution?fileName=s.csv", new StringContent(CompetitionSite.SolutionCsv())),
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        };

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain(CompetitionSite.PerfectCsv(), await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await fixture.AssertHealthyAsync();
        (await fixture.CaptureAsync()).AssertSameAs(before);
    }

    // An organizer with a draft challenge of their own, holding one data file.
    private async Task<(CompetitionSite.Participant Rival, int FileId)> RivalOrganizerAsync()
    {
        if (fixture.Rival is { } known)
        {
            return known;
        }
        var rival = await Site.AccountAsync($"rival{Guid.NewGuid():N}"[..14]);
        await using (var scope = Site.Factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Challenge.Core.Accounts.AppUser>>();
            await users.AddToRoleAsync((await users.FindByIdAsync(rival.UserId))!, Challenge.Core.Accounts.Roles.Organizer);
        }
        var slug = "rival-draft";
        await using (var db = await Site.Get<Microsoft.EntityFrameworkCore.IDbContextFactory<Challenge.Core.Data.ChallengeDbContext>>().CreateDbContextAsync())
        {
            if (!await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.AnyAsync(db.Competitions, c => c.Slug == slug))
            {
                var principal = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
                    [new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.NameIdentifier, rival.UserId), new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.Role, Challenge.Core.Accounts.Roles.Organizer)], "test"));
                await Site.Get<Challenge.Core.Challenges.CompetitionService>().CreateAsync(new Challenge.Core.Challenges.CompetitionInput
                {
                    Slug = slug, Title = "Rival draft", StartsAtUtc = DateTime.UtcNow.AddDays(-1), EndsAtUtc = DateTime.UtcNow.AddDays(9), Published = false,
                }, principal);
            }
        }
        var rivalToken = (await Site.Get<Challenge.Core.ApiTokens.ApiTokenService>().CreateAsync(rival.UserId, "rival"))!.Secret;
        var api = Site.Factory.CreateClient();
        api.DefaultRequestHeaders.Authorization = new("Bearer", rivalToken);
        var upload = await api.PostAsync($"/api/challenges/{slug}/data?fileName=secret.csv", new StringContent("Id,Secret\n1,hidden\n"));
        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        await using (var db = await Site.Get<Microsoft.EntityFrameworkCore.IDbContextFactory<Challenge.Core.Data.ChallengeDbContext>>().CreateDbContextAsync())
        {
            fixture.Rival = (rival with { Api = api }, System.Linq.Queryable.Single(db.DataFiles, f => f.FileName == "secret.csv").Id);
        }
        return fixture.Rival.Value;
    }

    [Fact]
    public async Task Repeated_wrong_passwords_pause_password_sign_in_with_the_same_answer_and_leave_the_tokens_working()
    {
        var victim = await fixture.NewParticipantAsync();
        var attacker = Site.Factory.CreateBrowserLikeClient();
        var mine = $"/api/challenges/{Site.Challenge.Slug}/submissions";
        Assert.Equal(HttpStatusCode.OK, (await victim.Api.GetAsync(mine)).StatusCode);

        var pages = new List<string>();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var wrong = await Site.Factory.LogInAsync(attacker, victim.Email, $"guess-{attempt}-password");
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
            pages.Add(await wrong.Content.ReadAsStringAsync());
        }
        var right = await Site.Factory.LogInAsync(attacker, victim.Email, "correct-horse-1");

        // The same words for a wrong password and a paused account, so a stranger learns nothing.
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        pages.Add(await right.Content.ReadAsStringAsync());
        Assert.All(pages, page => Assert.Contains("The email or the password is wrong, or there were too many attempts", page, StringComparison.Ordinal));
        Assert.All(pages, page => Assert.DoesNotContain("locked", page, StringComparison.OrdinalIgnoreCase));
        Assert.Equal(HttpStatusCode.Redirect, (await attacker.GetAsync("/account/tokens")).StatusCode);
        await using (var scope = Site.Factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Challenge.Core.Accounts.AppUser>>();
            var user = (await users.FindByIdAsync(victim.UserId))!;
            Assert.True(await users.IsLockedOutAsync(user));
        }
        // The pause is on password sign-in only: the account's API tokens keep working, so guessing
        // cannot cut a team's scripts off before a deadline.
        Assert.Equal(HttpStatusCode.OK, (await victim.Api.GetAsync(mine)).StatusCode);
        await fixture.AssertHealthyAsync();
    }

    [Fact]
    public async Task Uploads_over_the_rate_limit_answer_429_with_retry_after_and_store_nothing()
    {
        var participant = await fixture.NewParticipantAsync();
        for (var i = 0; i < 30; i++)
        {
            // An empty body is refused before it is stored, but still counts against the limit.
            await participant.Api.PostAsync(SubmitPath("?fileName=burst.csv"), new MultipartFormDataContent("no-file-part"));
        }
        var before = await fixture.CaptureAsync();

        var refused = await participant.Api.PostAsync(SubmitPath("?fileName=late.csv"), new StringContent(CompetitionSite.PerfectCsv(), Encoding.UTF8, "text/csv"));

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var retryAfter = refused.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
        Assert.Contains("Too many uploads", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        await fixture.AssertHealthyAsync();
        (await fixture.CaptureAsync()).AssertSameAs(before);
    }

    // JSON is data: markup in it stays as typed (clients escape it where they show it), so what
    // matters is that no browser may take the response for a page.
    private static void AssertServedAsData(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    private static void AssertEscaped(string html, string markup)
    {
        Assert.DoesNotContain(markup, html, StringComparison.Ordinal);
        var encoded = System.Net.WebUtility.HtmlEncode(markup);
        Assert.True(html.Contains(encoded, StringComparison.Ordinal) || html.Contains(markup.Replace("<", "&lt;", StringComparison.Ordinal), StringComparison.Ordinal)
            || html.Contains(System.Text.Encodings.Web.HtmlEncoder.Default.Encode(markup), StringComparison.Ordinal),
            $"The page does not show {markup} escaped: {html[Math.Max(0, html.IndexOf("<main", StringComparison.Ordinal))..]}");
    }

    // The cells of a CSV (RFC 4180 quoting), values unquoted.
    private static List<string> Cells(string csv)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < csv.Length; i++)
        {
            var c = csv[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < csv.Length && csv[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"' && cell.Length == 0)
            {
                quoted = true;
            }
            else if (c is ',' or '\n')
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }
        return cells;
    }
}
