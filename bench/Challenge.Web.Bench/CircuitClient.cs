using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Challenge.Web.Bench;

// One browserless Blazor Server viewer over the real transport: it loads the page (prerendered, as a
// browser does), opens the hub's WebSocket with the browser's own hub protocol ("blazorpack",
// SignalR's MessagePack protocol), starts a circuit and attaches the page's root components from
// their prerender markers, the calls blazor.web.js makes. It does not apply the render batches to a
// DOM; it acknowledges each one (as the browser does once applied, without which the server stops
// sending) and keeps it, stamped, so a caller can look for text in it: a batch's strings are plain
// UTF-8. JS interop calls are answered with an empty success.
internal sealed partial class CircuitClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<object?>> _pending = new();
    private readonly TaskCompletionSource _firstBatch = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<(long At, byte[] Batch)> _batches = [];
    private Task _receiving = Task.CompletedTask;
    private int _nextInvocation;

    public bool Closed { get; private set; }

    /// <summary>Render batches received so far, and their bytes.</summary>
    public int BatchCount { get; private set; }

    public long BatchBytes { get; private set; }
    public string? CloseReason { get; private set; }

    public static async Task<CircuitClient> OpenAsync(HttpClient http, Uri server, string path, CancellationToken cancellationToken)
    {
        var page = await http.GetStringAsync(path, cancellationToken);
        var markers = MarkerPattern().Matches(page).Select(m => m.Groups[1].Value).ToList();
        var state = StatePattern().Match(page) is { Success: true } found ? found.Groups[1].Value : "";
        if (markers.Count == 0)
        {
            throw new InvalidOperationException($"No interactive component marker on {path}.");
        }
        using var negotiate = await http.PostAsync("/_blazor/negotiate?negotiateVersion=1", null, cancellationToken);
        negotiate.EnsureSuccessStatusCode();
        using var negotiated = JsonDocument.Parse(await negotiate.Content.ReadAsStringAsync(cancellationToken));
        var token = negotiated.RootElement.GetProperty("connectionToken").GetString();

        var client = new CircuitClient();
        var ws = new UriBuilder(server) { Scheme = "ws", Path = "/_blazor", Query = "id=" + Uri.EscapeDataString(token!) }.Uri;
        await client._socket.ConnectAsync(ws, cancellationToken);
        await client.SendFrameAsync(Encoding.UTF8.GetBytes("{\"protocol\":\"blazorpack\",\"version\":1}\u001e"));
        client._receiving = Task.Run(client.ReceiveLoopAsync, CancellationToken.None);
        var href = new Uri(server, path).ToString();
        var circuit = await client.InvokeAsync("StartCircuit", [server.ToString(), href, "[]", state]).WaitAsync(TimeSpan.FromSeconds(120), cancellationToken);
        if (circuit is not string)
        {
            throw new InvalidOperationException("The server did not start a circuit.");
        }
        var operations = new
        {
            batchId = 1,
            operations = markers.Select((marker, i) => new { type = "add", ssrComponentId = i + 1, marker = JsonSerializer.Deserialize<JsonElement>(marker) }).ToList(),
        };
        await client.SendAsync("UpdateRootComponents", [JsonSerializer.Serialize(operations), state]);
        await client._firstBatch.Task.WaitAsync(TimeSpan.FromSeconds(120), cancellationToken);
        return client;
    }

    // When a batch received at or after `since` (a Stopwatch timestamp) first contained `text`.
    public long? FirstSeen(byte[] text, long since)
    {
        lock (_batches)
        {
            foreach (var (at, batch) in _batches)
            {
                if (at >= since && batch.AsSpan().IndexOf(text) >= 0)
                {
                    return at;
                }
            }
        }
        return null;
    }

    // Batches older than this are no longer needed by the caller.
    public void Forget(long before)
    {
        lock (_batches)
        {
            _batches.RemoveAll(b => b.At < before);
        }
    }

    // The server drops a connection that has been silent for its client timeout (30 s).
    public Task PingAsync() => Closed ? Task.CompletedTask : SendMessageAsync(w => w.Array(1).Int(6));

    private async Task<object?> InvokeAsync(string target, object?[] arguments)
    {
        var id = Interlocked.Increment(ref _nextInvocation).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var completion = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = completion;
        await SendMessageAsync(w => w.Array(6).Int(1).EmptyMap().String(id).String(target).Values(arguments).Array(0));
        return await completion.Task;
    }

    private Task SendAsync(string target, object?[] arguments) =>
        SendMessageAsync(w => w.Array(6).Int(1).EmptyMap().Nil().String(target).Values(arguments).Array(0));

    // A hub message: its length as a varint, then the MessagePack body.
    private Task SendMessageAsync(Action<PackWriter> write)
    {
        var body = new PackWriter();
        write(body);
        var payload = body.ToArray();
        var frame = new List<byte>(payload.Length + 5);
        var length = (uint)payload.Length;
        do
        {
            var b = (byte)(length & 0x7f);
            length >>= 7;
            frame.Add(length > 0 ? (byte)(b | 0x80) : b);
        }
        while (length > 0);
        frame.AddRange(payload);
        return SendFrameAsync([.. frame]);
    }

    private async Task SendFrameAsync(byte[] bytes)
    {
        await _sending.WaitAsync();
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                await _socket.SendAsync(bytes, WebSocketMessageType.Binary, true, CancellationToken.None);
            }
        }
        catch (WebSocketException)
        {
            Closed = true;
        }
        finally
        {
            _sending.Release();
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        var stream = new List<byte>();
        var handshakeDone = false;
        try
        {
            while (!Closed)
            {
                var result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    Closed = true;
                    CloseReason ??= "closed by the server";
                    break;
                }
                stream.AddRange(buffer.AsSpan(0, result.Count));
                if (!handshakeDone)
                {
                    var end = stream.IndexOf(0x1e);
                    if (end < 0)
                    {
                        continue;
                    }
                    var handshake = Encoding.UTF8.GetString([.. stream.GetRange(0, end)]);
                    if (handshake.Contains("error", StringComparison.Ordinal))
                    {
                        throw new InvalidOperationException("Hub handshake refused: " + handshake);
                    }
                    stream.RemoveRange(0, end + 1);
                    handshakeDone = true;
                }
                var consumed = 0;
                var bytes = stream.ToArray();
                while (TryReadLength(bytes, consumed, out var length, out var prefix) && consumed + prefix + length <= bytes.Length)
                {
                    await HandleAsync(new PackReader(bytes, consumed + prefix).Read());
                    consumed += prefix + length;
                }
                stream.RemoveRange(0, consumed);
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            Closed = true;
            CloseReason ??= exception.Message;
        }
        foreach (var pending in _pending.Values)
        {
            pending.TrySetException(new InvalidOperationException("The connection closed: " + CloseReason));
        }
        _firstBatch.TrySetException(new InvalidOperationException("The connection closed: " + CloseReason));
    }

    private static bool TryReadLength(byte[] bytes, int offset, out int length, out int prefix)
    {
        length = 0;
        prefix = 0;
        for (var shift = 0; offset + prefix < bytes.Length && prefix < 5; shift += 7)
        {
            var b = bytes[offset + prefix++];
            length |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return true;
            }
        }
        return false;
    }

    private async Task HandleAsync(object? value)
    {
        var at = System.Diagnostics.Stopwatch.GetTimestamp();
        if (value is not object?[] message || message.Length == 0)
        {
            return;
        }
        switch (Convert.ToInt32(message[0], System.Globalization.CultureInfo.InvariantCulture))
        {
            case 1:
                var target = message[3] as string;
                var arguments = message[4] as object?[] ?? [];
                if (target == "JS.RenderBatch")
                {
                    var id = Convert.ToInt64(arguments[0], System.Globalization.CultureInfo.InvariantCulture);
                    lock (_batches)
                    {
                        _batches.Add((at, (byte[])arguments[1]!));
                        BatchCount++;
                        BatchBytes += ((byte[])arguments[1]!).Length;
                    }
                    await SendAsync("OnRenderCompleted", [id, null]);
                    _firstBatch.TrySetResult();
                }
                else if (target == "JS.BeginInvokeJS")
                {
                    var handle = Convert.ToInt64(arguments[0], System.Globalization.CultureInfo.InvariantCulture);
                    await SendAsync("EndInvokeJSFromDotNet", [handle, true, JsonSerializer.Serialize(new object?[] { handle, true, null })]);
                }
                break;
            case 3:
                if (message[2] is string invocation && _pending.TryRemove(invocation, out var completion))
                {
                    var kind = Convert.ToInt32(message[3], System.Globalization.CultureInfo.InvariantCulture);
                    if (kind == 1)
                    {
                        completion.TrySetException(new InvalidOperationException(message[4] as string));
                    }
                    else
                    {
                        completion.TrySetResult(kind == 3 ? message[4] : null);
                    }
                }
                break;
            case 7:
                Closed = true;
                CloseReason = message.Length > 1 && message[1] is string reason ? reason : "closed by the server";
                break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Closed = true;
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
        {
            // Closing is best effort.
        }
        _socket.Dispose();
    }

    [GeneratedRegex("<!--Blazor:(\\{\"type\":\"server\".*?\\})-->")]
    private static partial Regex MarkerPattern();

    [GeneratedRegex("<!--Blazor-Server-Component-State:(.*?)-->")]
    private static partial Regex StatePattern();

    // The few MessagePack shapes the hub messages use (https://github.com/msgpack/msgpack/blob/master/spec.md).
    private sealed class PackWriter
    {
        private readonly List<byte> _bytes = [];

        public byte[] ToArray() => [.. _bytes];

        public PackWriter Array(int count)
        {
            if (count < 16)
            {
                _bytes.Add((byte)(0x90 | count));
            }
            else
            {
                _bytes.Add(0xdc);
                _bytes.Add((byte)(count >> 8));
                _bytes.Add((byte)count);
            }
            return this;
        }

        public PackWriter EmptyMap()
        {
            _bytes.Add(0x80);
            return this;
        }

        public PackWriter Nil()
        {
            _bytes.Add(0xc0);
            return this;
        }

        public PackWriter Int(long value)
        {
            if (value is >= 0 and < 128)
            {
                _bytes.Add((byte)value);
            }
            else
            {
                Span<byte> eight = stackalloc byte[8];
                BinaryPrimitives.WriteInt64BigEndian(eight, value);
                _bytes.Add(0xd3);
                _bytes.AddRange(eight.ToArray());
            }
            return this;
        }

        public PackWriter String(string value)
        {
            var utf8 = Encoding.UTF8.GetBytes(value);
            if (utf8.Length < 32)
            {
                _bytes.Add((byte)(0xa0 | utf8.Length));
            }
            else
            {
                _bytes.Add(0xdb);
                Span<byte> four = stackalloc byte[4];
                BinaryPrimitives.WriteUInt32BigEndian(four, (uint)utf8.Length);
                _bytes.AddRange(four.ToArray());
            }
            _bytes.AddRange(utf8);
            return this;
        }

        public PackWriter Values(object?[] values)
        {
            Array(values.Length);
            foreach (var value in values)
            {
                switch (value)
                {
                    case null:
                        Nil();
                        break;
                    case string text:
                        String(text);
                        break;
                    case bool flag:
                        _bytes.Add(flag ? (byte)0xc3 : (byte)0xc2);
                        break;
                    case long or int:
                        Int(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
                        break;
                    default:
                        throw new ArgumentException($"Cannot pack a {value.GetType().Name}.");
                }
            }
            return this;
        }
    }

    private sealed class PackReader(byte[] bytes, int offset)
    {
        private int _at = offset;

        public object? Read()
        {
            var b = bytes[_at++];
            switch (b)
            {
                case <= 0x7f:
                    return (long)b;
                case >= 0xe0:
                    return (long)(sbyte)b;
                case >= 0x80 and <= 0x8f:
                    return Map(b & 0x0f);
                case >= 0x90 and <= 0x9f:
                    return Items(b & 0x0f);
                case >= 0xa0 and <= 0xbf:
                    return Text(b & 0x1f);
            }
            return b switch
            {
                0xc0 => null,
                0xc2 => false,
                0xc3 => true,
                0xc4 => Bin((int)Unsigned(1)),
                0xc5 => Bin((int)Unsigned(2)),
                0xc6 => Bin((int)Unsigned(4)),
                0xca => Skip(4),
                0xcb => Skip(8),
                0xcc => (long)Unsigned(1),
                0xcd => (long)Unsigned(2),
                0xce => (long)Unsigned(4),
                0xcf => (long)Unsigned(8),
                0xd0 => (long)(sbyte)Unsigned(1),
                0xd1 => (long)(short)Unsigned(2),
                0xd2 => (long)(int)Unsigned(4),
                0xd3 => (long)Unsigned(8),
                0xd9 => Text((int)Unsigned(1)),
                0xda => Text((int)Unsigned(2)),
                0xdb => Text((int)Unsigned(4)),
                0xdc => Items((int)Unsigned(2)),
                0xdd => Items((int)Unsigned(4)),
                0xde => Map((int)Unsigned(2)),
                0xdf => Map((int)Unsigned(4)),
                0xd4 => Skip(2),
                0xd5 => Skip(3),
                0xd6 => Skip(5),
                0xd7 => Skip(9),
                0xd8 => Skip(17),
                0xc7 => Skip((int)Unsigned(1) + 1),
                0xc8 => Skip((int)Unsigned(2) + 1),
                0xc9 => Skip((int)Unsigned(4) + 1),
                _ => throw new InvalidOperationException($"Unexpected MessagePack byte 0x{b:x2}."),
            };
        }

        private ulong Unsigned(int size)
        {
            ulong value = 0;
            for (var i = 0; i < size; i++)
            {
                value = (value << 8) | bytes[_at++];
            }
            return value;
        }

        private object? Skip(int size)
        {
            _at += size;
            return null;
        }

        private string Text(int length)
        {
            var text = Encoding.UTF8.GetString(bytes, _at, length);
            _at += length;
            return text;
        }

        private byte[] Bin(int length)
        {
            var data = bytes.AsSpan(_at, length).ToArray();
            _at += length;
            return data;
        }

        private object?[] Items(int count)
        {
            var items = new object?[count];
            for (var i = 0; i < count; i++)
            {
                items[i] = Read();
            }
            return items;
        }

        private object? Map(int count)
        {
            for (var i = 0; i < 2 * count; i++)
            {
                Read();
            }
            return null;
        }
    }
}
