using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Challenge.Web.Tests;

// What the server under test logged at Warning or above, plus lines a test adds (browser events),
// in one timeline: when a test fails in CI, its output says what the server and the browser were
// doing, which a timeout alone does not.
public sealed class ServerLog : ILoggerProvider
{
    private const int Capacity = 2_000;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly DateTime _startedAtUtc = DateTime.UtcNow;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Add(string source, string message)
    {
        var elapsed = (DateTime.UtcNow - _startedAtUtc).TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);
        _lines.Enqueue($"[{elapsed,8} s] {source}: {message}");
        while (_lines.Count > Capacity && _lines.TryDequeue(out _))
        {
        }
    }

    public IReadOnlyList<string> Lines => [.. _lines];

    public void Dispose()
    {
    }

    private sealed class Logger(ServerLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }
            var text = formatter(state, exception);
            if (exception is not null)
            {
                text += Environment.NewLine + exception;
            }
            log.Add($"{logLevel} {category}", text);
        }
    }
}
