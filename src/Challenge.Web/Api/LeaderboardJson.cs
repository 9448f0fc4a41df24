using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using Challenge.Core.Leaderboards;
using Microsoft.Net.Http.Headers;

namespace Challenge.Web.Api;

// A board's JSON is the same for every reader until the board changes, and the service hands out
// the same board object until then; so the body is serialised once per board (a 5,000-team board
// is most of a megabyte) and its ETag lets polling scripts ask "changed?" for the price of a 304.
internal sealed record LeaderboardJson(string Slug, byte[] Utf8, string ETag)
{
    private static readonly ConditionalWeakTable<Leaderboard, LeaderboardJson> Bodies = [];

    public static LeaderboardJson For(string slug, Leaderboard board, JsonSerializerOptions options)
    {
        if (Bodies.TryGetValue(board, out var body) && body.Slug == slug)
        {
            return body;
        }
        var utf8 = JsonSerializer.SerializeToUtf8Bytes(LeaderboardDto.From(slug, board), options);
        var hash = Convert.ToBase64String(SHA256.HashData(utf8), 0, 18).Replace('+', '-').Replace('/', '_');
        body = new LeaderboardJson(slug, utf8, $"\"{hash}\"");
        Bodies.AddOrUpdate(board, body);
        return body;
    }

    public bool IsKnownTo(HttpRequest request) =>
        request.Headers.IfNoneMatch.Count > 0
        && EntityTagHeaderValue.TryParseList(request.Headers.IfNoneMatch, out var tags)
        && tags.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Tag.Equals(ETag, StringComparison.Ordinal));
}
