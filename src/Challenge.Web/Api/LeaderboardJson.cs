using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using Challenge.Core.Leaderboards;
using Microsoft.Net.Http.Headers;

namespace Challenge.Web.Api;

// A board's JSON is the same for every reader until the board changes, and the service hands out
// the same board object until then; so the body is serialised once per board (a 5,000-team board
// is most of a megabyte) and its ETag lets polling scripts ask "changed?" for the price of a 304.
//
// The service recomputes a task's boards on any change, private ones included (a final selection,
// a private score), and stamps each recomputation. A public body that differs only by that stamp
// would tell a watcher that something private moved; so the tag is the hash of the body without
// the stamp, and while it stays the same the reader gets the body already served, stamp and all.
internal sealed record LeaderboardJson(string Slug, byte[] Utf8, string ETag, BoardIntervals? Intervals = null)
{
    public bool IsKnownTo(HttpRequest request) =>
        request.Headers.IfNoneMatch.Count > 0
        && EntityTagHeaderValue.TryParseList(request.Headers.IfNoneMatch, out var tags)
        && tags.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Tag.Equals(ETag, StringComparison.Ordinal));
}

// One per app (a singleton), since what was served last is this server's own.
internal sealed class LeaderboardBodies
{
    private readonly ConditionalWeakTable<Leaderboard, LeaderboardJson> _bodies = [];

    // The last body served per board (challenge, task, kind): a few hundred entries at most.
    private readonly ConcurrentDictionary<(string Slug, int TaskId, LeaderboardKind Kind), LeaderboardJson> _lastServed = new();

    // The rank intervals arrive after their board (they are computed in the background), so a body
    // is reused only while it was made with the same intervals.
    public LeaderboardJson For(string slug, Leaderboard board, JsonSerializerOptions options, BoardIntervals? intervals = null, bool intervalsOn = false)
    {
        if (_bodies.TryGetValue(board, out var body) && body.Slug == slug && ReferenceEquals(body.Intervals, intervals))
        {
            return body;
        }
        var dto = LeaderboardDto.From(slug, board, intervals, intervalsOn);
        var content = JsonSerializer.SerializeToUtf8Bytes(dto with { ComputedAt = default }, options);
        var hash = Convert.ToBase64String(SHA256.HashData(content), 0, 18).Replace('+', '-').Replace('/', '_');
        var tag = $"\"{hash}\"";
        var key = (slug, board.TaskId, board.Kind);
        body = _lastServed.AddOrUpdate(key,
            _ => new LeaderboardJson(slug, JsonSerializer.SerializeToUtf8Bytes(dto, options), tag, intervals),
            (_, last) => last.ETag == tag ? last with { Intervals = intervals } : new LeaderboardJson(slug, JsonSerializer.SerializeToUtf8Bytes(dto, options), tag, intervals));
        _bodies.AddOrUpdate(board, body);
        return body;
    }
}
