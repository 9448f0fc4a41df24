using System.CommandLine;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Challenge.Annotations.Safety;
using Challenge.Cli.Client;

namespace Challenge.Cli.Commands;

/// <summary>
/// <c>challenge bundle import|export</c>: a challenge kept as a folder (challenge.yaml, pages, data,
/// solutions) made into a draft on the server, and back. The server checks the bundle; this side
/// zips and unzips.
/// </summary>
internal static class BundleCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("bundle", "Create a challenge from a bundle folder or zip (challenge.yaml, or Codabench's competition.yaml), or write a challenge as a bundle.");
        command.Subcommands.Add(Import(context));
        command.Subcommands.Add(Export(context));
        return command;
    }

    private static Command Import(CliContext context)
    {
        var path = new Argument<string>("path") { Description = "The bundle: a folder holding challenge.yaml (or competition.yaml), or its zip." };
        var slug = new Option<string?>("--slug") { Description = "Create the challenge under this slug instead of the bundle's." };
        var metric = new Option<string?>("--metric") { Description = "For a Codabench bundle: the built-in metric that scores its tasks (its scoring program cannot run here)." };
        var kind = new Option<string?>("--kind") { Description = "For a Codabench bundle: what the predictions are (label, probability, regression, …); default: the metric's first kind." };
        var command = new Command("import", "Check a bundle and create its challenge as a draft; nothing is created when the bundle has an error.") { path, slug, metric, kind };
        var client = new ClientCommand(command);
        command.SetAction((parse, cancellationToken) => client.RunAsync(parse, context, api => ImportAsync(
            api, parse.GetRequiredValue(path), parse.GetValue(slug), parse.GetValue(metric), parse.GetValue(kind), context, cancellationToken), cancellationToken));
        return command;
    }

    private static Command Export(CliContext context)
    {
        var challenge = new Argument<string>("challenge") { Description = "The challenge's slug." };
        var output = new Option<string>("--output", "-o") { Description = "Folder to write the bundle into (created when missing).", Required = true };
        var solutions = new Option<bool>("--include-solutions") { Description = "Include the hidden solutions (organizers only; keep the folder private)." };
        var command = new Command("export", "Write a challenge you manage as a bundle folder.") { challenge, output, solutions };
        var client = new ClientCommand(command);
        command.SetAction((parse, cancellationToken) => client.RunAsync(parse, context, api => ExportAsync(
            api, parse.GetRequiredValue(challenge), parse.GetRequiredValue(output), parse.GetValue(solutions), context, cancellationToken), cancellationToken));
        return command;
    }

    internal static async Task<int> ImportAsync(ApiClient api, string path, string? slug, string? metric, string? kind, CliContext context, CancellationToken cancellationToken)
    {
        api.Settings.RequireToken();
        byte[] archive;
        if (Directory.Exists(path))
        {
            var buffer = new MemoryStream();
            ZipFile.CreateFromDirectory(path, buffer, CompressionLevel.Optimal, includeBaseDirectory: false);
            archive = buffer.ToArray();
        }
        else if (File.Exists(path))
        {
            archive = await File.ReadAllBytesAsync(path, cancellationToken);
        }
        else
        {
            throw new CliException($"no folder or file {path}.");
        }
        var query = new List<string> { $"fileName={ClientCommand.Escape(Path.GetFileName(Path.TrimEndingDirectorySeparator(path)) + (Directory.Exists(path) ? ".zip" : ""))}" };
        if (!string.IsNullOrEmpty(slug)) query.Add($"slug={ClientCommand.Escape(slug)}");
        if (!string.IsNullOrEmpty(metric)) query.Add($"metric={ClientCommand.Escape(metric)}");
        if (!string.IsNullOrEmpty(kind)) query.Add($"kind={ClientCommand.Escape(kind)}");

        var (status, body) = await TransferProgress.RunAsync(context, "Uploading", Path.GetFileName(Path.TrimEndingDirectorySeparator(path)), archive.LongLength, async report =>
        {
            var content = new StreamContent(new ReportingStream(new MemoryStream(archive), report));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
            var request = new HttpRequestMessage(HttpMethod.Post, api.Resolve($"api/bundles?{string.Join('&', query)}")) { Content = content };
            using var response = await api.SendAsync(request, cancellationToken, null, HttpStatusCode.UnprocessableEntity);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
        });
        if (status == HttpStatusCode.UnprocessableEntity)
        {
            var refusal = System.Text.Json.JsonSerializer.Deserialize<BundleRefusal>(body, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web))!;
            context.Output.WriteLine($"Refused: {TextCell.Clean(refusal.Detail ?? refusal.Title)}");
            foreach (var error in refusal.Errors ?? [])
            {
                var where = error.Line is { } line ? $"{error.File}:{line}" : error.File;
                context.Output.WriteLine(TextCell.Clean($"  {where}: {(error.Key is null ? "" : error.Key + ": ")}{error.Message}"));
            }
            WriteNotes(refusal.Notes, context);
            return ExitCodes.Rejected;
        }
        var created = System.Text.Json.JsonSerializer.Deserialize<BundleCreated>(body, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web))!;
        context.Output.WriteLine(TextCell.Clean($"Created the challenge '{created.Slug}' as a draft from {(created.Format == "codabench" ? "a Codabench competition.yaml" : "challenge.yaml")}."));
        context.Output.WriteLine(TextCell.Clean($"Check it on {api.Resolve($"challenges/{created.Slug}/manage")}, then publish it there or with the API."));
        WriteNotes(created.Notes, context);
        return ExitCodes.Success;
    }

    internal static async Task<int> ExportAsync(ApiClient api, string challenge, string folder, bool includeSolutions, CliContext context, CancellationToken cancellationToken)
    {
        api.Settings.RequireToken();
        var request = new HttpRequestMessage(HttpMethod.Get, api.Resolve($"api/challenges/{ClientCommand.Escape(challenge)}/bundle{(includeSolutions ? "?includeSolutions=true" : "")}"));
        using var response = await api.SendAsync(request, cancellationToken);
        var archive = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        // The server's zip is read like any other: no entry may land outside the folder.
        var read = SafeZip.Read(archive, $"{challenge}-bundle.zip");
        if (read.Value is not { } entries)
        {
            throw new CliException($"the server's bundle cannot be read: {read.Errors[0]}");
        }
        var root = Path.GetFullPath(folder);
        Directory.CreateDirectory(root);
        foreach (var entry in entries.Where(e => !e.Name.EndsWith('/')))
        {
            var target = Path.GetFullPath(Path.Combine(root, entry.Name));
            if (!target.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                throw new CliException($"the bundle names a file '{TextCell.Clean(entry.Name)}' outside the folder.");
            }
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await File.WriteAllBytesAsync(target, entry.Content, cancellationToken);
        }
        context.Output.WriteLine($"Wrote {entries.Count} files of {TextCell.Clean(challenge)} to {root}{(includeSolutions ? " (with the hidden solutions: keep this folder private)" : "")}.");
        return ExitCodes.Success;
    }

    private static void WriteNotes(IReadOnlyList<string>? notes, CliContext context)
    {
        foreach (var note in notes ?? [])
        {
            context.Output.WriteLine(TextCell.Clean($"  note: {note}"));
        }
    }
}
