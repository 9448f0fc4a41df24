using System.CommandLine;
using Challenge.Cli.Client;

namespace Challenge.Cli.Commands;

/// <summary><c>challenge submissions</c>: the caller's team's submissions to a challenge, newest first.</summary>
internal static class SubmissionsCommand
{
    public static Command Create(CliContext context)
    {
        var challenge = new Argument<string>("challenge") { Description = "The challenge's slug." };
        var json = new Option<bool>("--json") { Description = "Print the server's JSON instead of a table." };
        var command = new Command("submissions", "List your team's submissions to a challenge.") { challenge, json };
        var client = new ClientCommand(command);
        command.SetAction((parse, cancellationToken) => client.RunAsync(parse, context, api => ExecuteAsync(
            api, parse.GetRequiredValue(challenge), parse.GetValue(json), context, cancellationToken), cancellationToken));
        return command;
    }

    internal static async Task<int> ExecuteAsync(ApiClient api, string challenge, bool json, CliContext context, CancellationToken cancellationToken)
    {
        api.Settings.RequireToken();
        var path = $"api/challenges/{ClientCommand.Escape(challenge)}/submissions";
        if (json)
        {
            using var response = await api.SendAsync(new HttpRequestMessage(HttpMethod.Get, api.Resolve(path)), cancellationToken);
            context.Output.WriteLine(await response.Content.ReadAsStringAsync(cancellationToken));
            return ExitCodes.Success;
        }

        var submissions = await api.GetJsonAsync<List<SubmissionInfo>>(path, cancellationToken);
        if (submissions.Count == 0)
        {
            context.Output.WriteLine($"No submissions yet from your team to {TextCell.Clean(challenge)}.");
            return ExitCodes.Success;
        }
        var showPrivate = submissions.Any(s => s.PrivateScore is not null);
        string[] headers = showPrivate
            ? ["id", "task", "submitted (UTC)", "status", "public", "private", "errors", "selected", "file", "description"]
            : ["id", "task", "submitted (UTC)", "status", "public", "errors", "selected", "file", "description"];
        var table = new TextTable(headers).AlignRight(showPrivate ? [0, 4, 5, 6] : [0, 4, 5]);
        foreach (var s in submissions)
        {
            string[] scores = showPrivate ? [TextCell.Score(s.PublicScore), TextCell.Score(s.PrivateScore)] : [TextCell.Score(s.PublicScore)];
            table.Add([s.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), s.Task, TextCell.Time(s.SubmittedAt), s.Status,
                .. scores, s.ErrorCount == 0 ? "" : s.ErrorCount.ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
                s.Selected ? "yes" : "", s.FileName, s.Description]);
        }
        table.WriteTo(context.Output);
        return ExitCodes.Success;
    }
}
