using System.CommandLine;
using System.Globalization;
using Challenge.Cli.Client;

namespace Challenge.Cli.Commands;

/// <summary><c>challenge leaderboard</c>: a task's public (or, after the reveal, private) leaderboard.</summary>
internal static class LeaderboardCommand
{
    public static Command Create(CliContext context)
    {
        var challenge = new Argument<string>("challenge") { Description = "The challenge's slug." };
        var task = new Option<string?>("--task") { Description = "The task's slug (default: the challenge's first task)." };
        var isPrivate = new Option<bool>("--private") { Description = "The private leaderboard, shown after the final deadline." };
        var json = new Option<bool>("--json") { Description = "Print the server's JSON instead of a table." };
        var csv = new Option<bool>("--csv") { Description = "Print the server's CSV instead of a table." };
        var command = new Command("leaderboard", "Show a challenge's leaderboard; no token is needed for a published challenge.") { challenge, task, isPrivate, json, csv };
        command.Validators.Add(result =>
        {
            if (result.GetValue(json) && result.GetValue(csv))
            {
                result.AddError("--json and --csv cannot be used together.");
            }
        });
        var client = new ClientCommand(command);
        command.SetAction((parse, cancellationToken) => client.RunAsync(parse, context, api => ExecuteAsync(
            api, parse.GetRequiredValue(challenge), parse.GetValue(task), parse.GetValue(isPrivate), parse.GetValue(json), parse.GetValue(csv), context, cancellationToken), cancellationToken));
        return command;
    }

    internal static async Task<int> ExecuteAsync(ApiClient api, string challenge, string? task, bool isPrivate, bool json, bool csv, CliContext context, CancellationToken cancellationToken)
    {
        var query = new List<string>();
        if (!string.IsNullOrEmpty(task))
        {
            query.Add($"task={ClientCommand.Escape(task)}");
        }
        if (isPrivate)
        {
            query.Add("kind=private");
        }
        var path = $"api/challenges/{ClientCommand.Escape(challenge)}/leaderboard{(csv ? ".csv" : "")}{(query.Count == 0 ? "" : "?" + string.Join('&', query))}";
        if (json || csv)
        {
            using var response = await api.SendAsync(new HttpRequestMessage(HttpMethod.Get, api.Resolve(path)), cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            context.Output.Write(text);
            if (!text.EndsWith('\n'))
            {
                context.Output.WriteLine();
            }
            return ExitCodes.Success;
        }

        var board = await api.GetJsonAsync<LeaderboardInfo>(path, cancellationToken);
        context.Output.WriteLine(TextCell.Clean(
            $"{board.Challenge} / {board.Task}: {board.Kind} leaderboard, {board.Metric} ({(board.HigherIsBetter ? "higher" : "lower")} is better), computed {TextCell.Time(board.ComputedAt)} UTC"));
        if (board.Entries.Count == 0)
        {
            context.Output.WriteLine("No scored submissions yet.");
            return ExitCodes.Success;
        }
        var shakeUp = board.Kind == "private";
        string[] headers = shakeUp
            ? ["rank", "change", "team", "members", "score", "entries", "last (UTC)", ""]
            : ["rank", "team", "members", "score", "entries", "last (UTC)", ""];
        var table = new TextTable(headers).AlignRight(shakeUp ? [0, 1, 4, 5] : [0, 3, 4]);
        foreach (var entry in board.Entries)
        {
            string[] rank = shakeUp ? [Rank(entry), Change(entry)] : [Rank(entry)];
            table.Add([.. rank, entry.Team, string.Join(", ", entry.Members ?? []), TextCell.Score(entry.Score),
                entry.Entries.ToString(CultureInfo.InvariantCulture), TextCell.Time(entry.LastSubmission), entry.IsBaseline ? "baseline" : ""]);
        }
        table.WriteTo(context.Output);
        return ExitCodes.Success;
    }

    // Baseline rows are not ranked.
    private static string Rank(LeaderboardEntryInfo entry) => entry.Rank?.ToString(CultureInfo.InvariantCulture) ?? "-";

    // Places gained (+) or lost (-) against the public leaderboard.
    private static string Change(LeaderboardEntryInfo entry) =>
        entry is { Rank: int rank, PublicRank: int publicRank } ? (publicRank - rank).ToString("+0;-0;0", CultureInfo.InvariantCulture) : "";
}
