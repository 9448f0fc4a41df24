using System.CommandLine;
using System.Net.Http.Headers;
using Challenge.Cli.Client;

namespace Challenge.Cli.Commands;

/// <summary>
/// <c>challenge submit</c>: uploads a prediction file to a task and, with --wait, follows it
/// until it is scored or rejected.
/// </summary>
internal static class SubmitCommand
{
    public static Command Create(CliContext context)
    {
        var challenge = new Argument<string>("challenge") { Description = "The challenge's slug, as in its URL." };
        var task = new Argument<string>("task") { Description = "The task's slug." };
        var file = new Argument<string>("file") { Description = "The prediction CSV to upload." };
        var message = new Option<string?>("--message", "-m") { Description = "A description stored with the submission." };
        var wait = new Option<bool>("--wait") { Description = "Wait until the submission is scored or rejected and print the result." };
        var command = new Command("submit", "Upload a prediction file to a task.") { challenge, task, file, message, wait };
        var client = new ClientCommand(command);
        command.SetAction((parse, cancellationToken) => client.RunAsync(parse, context, api => ExecuteAsync(
            api, parse.GetRequiredValue(challenge), parse.GetRequiredValue(task), parse.GetRequiredValue(file), parse.GetValue(message), parse.GetValue(wait), context, cancellationToken), cancellationToken));
        return command;
    }

    internal static async Task<int> ExecuteAsync(ApiClient api, string challenge, string task, string path, string? message, bool wait, CliContext context, CancellationToken cancellationToken)
    {
        api.Settings.RequireToken();
        if (!File.Exists(path))
        {
            throw new CliException($"no file {path}.");
        }
        var fileName = Path.GetFileName(path);
        var query = $"?fileName={ClientCommand.Escape(fileName)}" + (string.IsNullOrEmpty(message) ? "" : $"&description={ClientCommand.Escape(message)}");

        SubmissionAccepted accepted;
        // A stream with a known length goes out as it is read, with a Content-Length: the file is never held in memory.
        var length = new FileInfo(path).Length;
        accepted = await TransferProgress.RunAsync(context, "Uploading", fileName, length, async report =>
        {
            await using var stream = new ReportingStream(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, useAsync: true), report);
            var content = new StreamContent(stream, 1 << 16);
            content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            var request = new HttpRequestMessage(HttpMethod.Post, api.Resolve($"api/challenges/{ClientCommand.Escape(challenge)}/tasks/{ClientCommand.Escape(task)}/submissions{query}")) { Content = content };
            using var response = await api.SendAsync(request, cancellationToken);
            return await api.ReadJsonAsync<SubmissionAccepted>(response, cancellationToken);
        });
        context.Output.WriteLine($"Submitted {fileName} as submission {accepted.Id} ({accepted.Status}).");
        if (!wait)
        {
            context.Output.WriteLine($"Follow it with: challenge submissions {challenge}");
            return ExitCodes.Success;
        }

        var submission = await WaitAsync(api, accepted.Id, context, cancellationToken);
        return Report(submission, context.Output);
    }

    private static async Task<SubmissionInfo> WaitAsync(ApiClient api, long id, CliContext context, CancellationToken cancellationToken)
    {
        string? lastStatus = null;
        while (true)
        {
            var submission = await api.GetJsonAsync<SubmissionInfo>($"api/submissions/{id}", cancellationToken);
            if (submission.IsFinished)
            {
                return submission;
            }
            if (submission.Status != lastStatus)
            {
                context.Error.WriteLine($"{TextCell.Clean(submission.Status)}…");
                lastStatus = submission.Status;
            }
            await Task.Delay(context.PollInterval, cancellationToken);
        }
    }

    private static int Report(SubmissionInfo submission, TextWriter output)
    {
        switch (submission.Status)
        {
            case "scored":
                output.WriteLine($"Scored. Public score: {TextCell.Score(submission.PublicScore)}");
                if (submission.PrivateScore is not null)
                {
                    output.WriteLine($"Private score: {TextCell.Score(submission.PrivateScore)}");
                }
                return ExitCodes.Success;
            case "rejected":
                output.WriteLine($"Rejected: {submission.ErrorCount:N0} error{(submission.ErrorCount == 1 ? "" : "s")}.");
                var errors = submission.Errors ?? [];
                var fileName = TextCell.Clean(submission.FileName);
                foreach (var error in errors)
                {
                    var where = error.Line is null ? fileName : error.Column is null ? $"{fileName}:{error.Line}" : $"{fileName}:{error.Line}:{error.Column}";
                    output.WriteLine($"  {where}: {TextCell.Clean(error.Message)}");
                }
                if (submission.ErrorCount > errors.Count)
                {
                    output.WriteLine($"  ... and {submission.ErrorCount - errors.Count:N0} more.");
                }
                return ExitCodes.Rejected;
            default:
                output.WriteLine($"Submission {submission.Id} {TextCell.Clean(submission.Status)}: {TextCell.Clean(submission.FailureMessage ?? "no reason given")}");
                return ExitCodes.Failure;
        }
    }
}
