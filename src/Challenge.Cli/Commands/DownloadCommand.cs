using System.CommandLine;
using System.Security.Cryptography;
using Challenge.Cli.Client;

namespace Challenge.Cli.Commands;

/// <summary>
/// <c>challenge download</c>: a challenge's data files (all, or one), streamed to disk and checked
/// against the SHA-256 the server lists; or, with --sample, a task's sample submission.
/// </summary>
internal static class DownloadCommand
{
    private const int BufferSize = 1 << 16;

    public static Command Create(CliContext context)
    {
        var challenge = new Argument<string>("challenge") { Description = "The challenge's slug." };
        var file = new Option<string?>("--file", "-f") { Description = "Download only this data file." };
        var output = new Option<string>("--out", "-o") { Description = "Folder to write into (created when missing).", DefaultValueFactory = _ => "." };
        var sample = new Option<string?>("--sample") { Description = "Download this task's sample submission instead of the data files." };
        var force = new Option<bool>("--force") { Description = "Download even files already present with the right SHA-256." };
        var command = new Command("download", "Download a challenge's data files (you must have accepted its rules) or a sample submission.") { challenge, file, output, sample, force };
        command.Validators.Add(result =>
        {
            if (result.GetValue(file) is not null && result.GetValue(sample) is not null)
            {
                result.AddError("--file and --sample cannot be used together.");
            }
        });
        var client = new ClientCommand(command);
        command.SetAction((parse, cancellationToken) => client.RunAsync(parse, context, api =>
        {
            var slug = parse.GetRequiredValue(challenge);
            var folder = parse.GetRequiredValue(output);
            return parse.GetValue(sample) is { } task
                ? SampleAsync(api, slug, task, folder, context, cancellationToken)
                : DataAsync(api, slug, parse.GetValue(file), folder, parse.GetValue(force), context, cancellationToken);
        }, cancellationToken));
        return command;
    }

    internal static async Task<int> DataAsync(ApiClient api, string challenge, string? only, string folder, bool force, CliContext context, CancellationToken cancellationToken)
    {
        api.Settings.RequireToken();
        var all = await api.GetJsonAsync<List<DataFileInfo>>($"api/challenges/{ClientCommand.Escape(challenge)}/data", cancellationToken);
        var files = only is null ? all : all.Where(f => f.FileName == only).ToList();
        if (only is not null && files.Count == 0)
        {
            throw new CliException(all.Count == 0
                ? $"{TextCell.Clean(challenge)} has no data files."
                : $"no data file '{TextCell.Clean(only)}'. The files are: {string.Join(", ", all.Select(f => TextCell.Clean(f.FileName)))}.");
        }
        if (files.Count == 0)
        {
            context.Output.WriteLine($"{TextCell.Clean(challenge)} has no data files yet.");
            return ExitCodes.Success;
        }
        Directory.CreateDirectory(folder);
        foreach (var file in files)
        {
            var target = Path.Combine(folder, SafeName(file.FileName));
            if (!force && await IsUpToDateAsync(target, file, cancellationToken))
            {
                context.Output.WriteLine($"{TextCell.Clean(file.FileName)} is up to date ({TextCell.Bytes(file.Length)}); skipped. Use --force to download it again.");
                continue;
            }
            // The path is built here rather than taken from the listed url, so the token only ever goes to the configured server.
            var request = new HttpRequestMessage(HttpMethod.Get, api.Resolve($"api/challenges/{ClientCommand.Escape(challenge)}/data/{ClientCommand.Escape(file.FileName)}"));
            using var response = await api.SendAsync(request, cancellationToken);
            var sha256 = await SaveAsync(response, target, file.FileName, file.Length, context, cancellationToken);
            if (!string.Equals(sha256, file.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                File.Delete(target);
                throw new CliException($"{TextCell.Clean(file.FileName)} arrived damaged: its SHA-256 is {sha256}, the server lists {TextCell.Clean(file.Sha256)}. The file was removed; try again.");
            }
            context.Output.WriteLine($"{TextCell.Clean(file.FileName)}  {TextCell.Bytes(file.Length)}  saved to {target}  (SHA-256 verified)");
        }
        return ExitCodes.Success;
    }

    private static async Task<int> SampleAsync(ApiClient api, string challenge, string task, string folder, CliContext context, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, api.Resolve($"challenges/{ClientCommand.Escape(challenge)}/tasks/{ClientCommand.Escape(task)}/sample-submission.csv"));
        // Outside /api a 404 comes back as the site's not-found page, with no problem detail to show.
        var notFound = $"no sample submission for task '{TextCell.Clean(task)}' of '{TextCell.Clean(challenge)}': the challenge or task does not exist, or its solution is not uploaded yet.";
        using (var response = await api.SendAsync(request, cancellationToken, notFound))
        {
            var serverName = response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName?.Trim('"');
            var name = string.IsNullOrWhiteSpace(serverName) ? $"sample_submission_{task}.csv" : SafeName(serverName);
            Directory.CreateDirectory(folder);
            var target = Path.Combine(folder, name);
            await SaveAsync(response, target, name, response.Content.Headers.ContentLength, context, cancellationToken);
            context.Output.WriteLine($"{name}  {TextCell.Bytes(new FileInfo(target).Length)}  saved to {target}");
        }
        return ExitCodes.Success;
    }

    // Writes to name.part and renames it when complete, so an interrupted download never leaves a
    // file that looks whole; returns the SHA-256 of what was written, computed while streaming.
    private static async Task<string> SaveAsync(HttpResponseMessage response, string target, string displayName, long? length, CliContext context, CancellationToken cancellationToken)
    {
        var partial = target + ".part";
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        try
        {
            await TransferProgress.RunAsync(context, "Downloading", TextCell.Clean(displayName), length, async report =>
            {
                await using var source = await response.Content.ReadAsStreamAsync(cancellationToken);
                await using var destination = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, BufferSize, useAsync: true);
                var buffer = new byte[BufferSize];
                int read;
                while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    report(read);
                }
                return true;
            });
            File.Move(partial, target, overwrite: true);
        }
        catch
        {
            File.Delete(partial);
            throw;
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static async Task<bool> IsUpToDateAsync(string path, DataFileInfo file, CancellationToken cancellationToken)
    {
        if (!File.Exists(path) || new FileInfo(path).Length != file.Length)
        {
            return false;
        }
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true);
        var sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
        return string.Equals(sha256, file.Sha256, StringComparison.OrdinalIgnoreCase);
    }

    // A name from the server must stay inside the output folder: no folders, no "..".
    private static string SafeName(string name)
    {
        var safe = Path.GetFileName(name.Replace('\\', '/'));
        if (safe.Length == 0 || safe is "." or ".." || safe.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
        {
            throw new CliException($"the server named a file '{TextCell.Clean(name)}', which cannot be saved safely.");
        }
        return safe;
    }
}
