using System.CommandLine;
using System.Globalization;
using Challenge.Cli.Client;

namespace Challenge.Cli.Commands;

/// <summary>
/// <c>challenge competitions …</c>: the verbs and flags of <c>kaggle competitions</c>, so that
/// fingers trained on Kaggle's tool work here: list, files, download, submit, submissions, leaderboard.
/// </summary>
internal static class CompetitionsCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("competitions", "Kaggle-style commands: list, files, download, submit, submissions, leaderboard.");
        command.Subcommands.Add(List(context));
        command.Subcommands.Add(Files(context));
        command.Subcommands.Add(Download(context));
        command.Subcommands.Add(Submit(context));
        command.Subcommands.Add(Submissions(context));
        command.Subcommands.Add(Leaderboard(context));
        return command;
    }

    private static Command List(CliContext context)
    {
        var command = new Command("list", "The published challenges.");
        var client = new ClientCommand(command);
        command.SetAction((parse, cancellationToken) => client.RunAsync(parse, context, async api =>
        {
            var challenges = await api.GetJsonAsync<List<ChallengeInfo>>("api/challenges", cancellationToken);
            if (challenges.Count == 0)
            {
                context.Output.WriteLine("No published challenges.");
                return ExitCodes.Success;
            }
            var table = new TextTable("ref", "title", "phase", "deadline (UTC)", "tasks", "metric");
            foreach (var challenge in challenges)
            {
                table.Add([challenge.Slug, challenge.Title, challenge.Phase, TextCell.Time(challenge.EndsAt),
                    string.Join(", ", challenge.Tasks.Select(t => t.Slug)), string.Join(", ", challenge.Tasks.Select(t => t.Metric).Distinct())]);
            }
            table.WriteTo(context.Output);
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static Command Files(CliContext context)
    {
        var challenge = new Argument<string>("competition") { Description = "The challenge's slug." };
        var command = new Command("files", "The challenge's data files (you must have accepted its rules).") { challenge };
        var client = new ClientCommand(command);
        command.SetAction((parse, cancellationToken) => client.RunAsync(parse, context, async api =>
        {
            api.Settings.RequireToken();
            var files = await api.GetJsonAsync<List<DataFileInfo>>($"api/challenges/{ClientCommand.Escape(parse.GetRequiredValue(challenge))}/data", cancellationToken);
            if (files.Count == 0)
            {
                context.Output.WriteLine("No data files yet.");
                return ExitCodes.Success;
            }
            var table = new TextTable("name", "size", "sha256", "description").AlignRight([1]);
            foreach (var file in files)
            {
                table.Add([file.FileName, TextCell.Bytes(file.Length), file.Sha256[..Math.Min(12, file.Sha256.Length)], file.Description]);
            }
            table.WriteTo(context.Output);
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static Command Download(CliContext context)
    {
        var challenge = new Argument<string>("competition") { Description = "The challenge's slug." };
        var file = new Option<string?>("--file", "-f") { Description = "Download only this file (default: all)." };
        var path = new Option<string>("--path", "-p") { Description = "Folder to download into (default: the current one).", DefaultValueFactory = _ => "." };
        var force = new Option<bool>("--force") { Description = "Download even files already present with the right SHA-256." };
        var command = new Command("download", "Download the challenge's data files, checked against their SHA-256.") { challenge, file, path, force };
        var client = new ClientCommand(command);
        command.SetAction((parse, cancellationToken) => client.RunAsync(parse, context, api => DownloadCommand.DataAsync(
            api, parse.GetRequiredValue(challenge), parse.GetValue(file), parse.GetRequiredValue(path), parse.GetValue(force), context, cancellationToken), cancellationToken));
        return command;
    }

    private static Command Submit(CliContext context)
    {
        var challenge = new Argument<string>("competition") { Description = "The challenge's slug." };
        var file = new Option<string>("--file", "-f") { Description = "The prediction file to upload.", Required = true };
        var message = new Option<string>("--message", "-m") { Description = "A description stored with the submission.", Required = true };
        var task = new Option<string?>("--task") { Description = "The task's slug (default: the challenge's first task)." };
        var wait = new Option<bool>("--wait") { Description = "Wait until the submission is scored or rejected and print the result." };
        var command = new Command("submit", "Upload a prediction file.") { challenge, file, message, task, wait };
        var client = new ClientCommand(command);
        command.SetAction((parse, cancellationToken) => client.RunAsync(parse, context, async api =>
        {
            var slug = parse.GetRequiredValue(challenge);
            var taskSlug = parse.GetValue(task) ?? await FirstTaskAsync(api, slug, cancellationToken);
            return await SubmitCommand.ExecuteAsync(api, slug, taskSlug, parse.GetRequiredValue(file), parse.GetRequiredValue(message), parse.GetValue(wait), context, cancellationToken);
        }, cancellationToken));
        return command;
    }

    private static Command Submissions(CliContext context)
    {
        var challenge = new Argument<string>("competition") { Description = "The challenge's slug." };
        var command = new Command("submissions", "Your team's submissions, newest first.") { challenge };
        var client = new ClientCommand(command);
        command.SetAction((parse, cancellationToken) => client.RunAsync(parse, context, api => SubmissionsCommand.ExecuteAsync(
            api, parse.GetRequiredValue(challenge), false, context, cancellationToken), cancellationToken));
        return command;
    }

    private static Command Leaderboard(CliContext context)
    {
        var challenge = new Argument<string>("competition") { Description = "The challenge's slug." };
        var show = new Option<bool>("--show", "-s") { Description = "Print the leaderboard." };
        var download = new Option<bool>("--download", "-d") { Description = "Save the leaderboard as CSV." };
        var path = new Option<string>("--path", "-p") { Description = "Folder to save the CSV into (default: the current one).", DefaultValueFactory = _ => "." };
        var task = new Option<string?>("--task") { Description = "The task's slug (default: the challenge's first task)." };
        var command = new Command("leaderboard", "Show or download the public leaderboard (the private one after the reveal).") { challenge, show, download, path, task };
        command.Validators.Add(result =>
        {
            if (!result.GetValue(show) && !result.GetValue(download))
            {
                result.AddError("Say --show or --download (or both).");
            }
        });
        var client = new ClientCommand(command);
        command.SetAction((parse, cancellationToken) => client.RunAsync(parse, context, async api =>
        {
            var slug = parse.GetRequiredValue(challenge);
            var taskSlug = parse.GetValue(task);
            if (parse.GetValue(show))
            {
                var shown = await LeaderboardCommand.ExecuteAsync(api, slug, taskSlug, false, false, false, context, cancellationToken);
                if (shown != ExitCodes.Success)
                {
                    return shown;
                }
            }
            if (parse.GetValue(download))
            {
                var query = string.IsNullOrEmpty(taskSlug) ? "" : $"?task={ClientCommand.Escape(taskSlug)}";
                using var response = await api.SendAsync(new HttpRequestMessage(HttpMethod.Get, api.Resolve($"api/challenges/{ClientCommand.Escape(slug)}/leaderboard.csv{query}")), cancellationToken);
                var folder = parse.GetRequiredValue(path);
                Directory.CreateDirectory(folder);
                var target = Path.Combine(folder, $"{SafeSlug(slug)}-leaderboard.csv");
                await File.WriteAllBytesAsync(target, await response.Content.ReadAsByteArrayAsync(cancellationToken), cancellationToken);
                context.Output.WriteLine($"Leaderboard saved to {target}");
            }
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static async Task<string> FirstTaskAsync(ApiClient api, string slug, CancellationToken cancellationToken)
    {
        var challenge = await api.GetJsonAsync<ChallengeInfo>($"api/challenges/{ClientCommand.Escape(slug)}", cancellationToken);
        return challenge.Tasks.FirstOrDefault()?.Slug
            ?? throw new CliException($"{TextCell.Clean(slug)} has no task yet.");
    }

    private static string SafeSlug(string slug) => string.Concat(slug.Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '_')).ToString(CultureInfo.InvariantCulture);
}
