using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Challenge.Core.Data;

// A command that takes seconds is nearly always waiting for a lock (SQLite's single writer, a
// PostgreSQL row lock) rather than working; EF logs every command only at Information, so without
// this a stalled page or upload leaves no trace at the levels a server runs with.
internal sealed class SlowCommandInterceptor : DbCommandInterceptor
{
    public static readonly TimeSpan Threshold = TimeSpan.FromSeconds(2);
    private const int TextShown = 300;

    public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result) =>
        Reported(command, eventData, result);

    public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Reported(command, eventData, result));

    public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result) =>
        Reported(command, eventData, result);

    public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Reported(command, eventData, result));

    public override object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result) =>
        Reported(command, eventData, result);

    public override ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Reported(command, eventData, result));

    public override void CommandFailed(DbCommand command, CommandErrorEventData eventData) => Report(command, eventData);

    public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Report(command, eventData);
        return Task.CompletedTask;
    }

    private static T Reported<T>(DbCommand command, CommandEndEventData eventData, T result)
    {
        Report(command, eventData);
        return result;
    }

    private static void Report(DbCommand command, CommandEndEventData eventData)
    {
        if (eventData.Duration < Threshold || eventData.Context is not { } context)
        {
            return;
        }
        var failure = (eventData as CommandErrorEventData)?.Exception;
        var logger = context.GetService<ILoggerFactory>().CreateLogger<SlowCommandInterceptor>();
        var text = command.CommandText.Length > TextShown ? command.CommandText[..TextShown] + "…" : command.CommandText;
        logger.LogWarning(failure, "A database command took {Seconds:0.0} s{Outcome}: {CommandText}",
            eventData.Duration.TotalSeconds, failure is null ? "" : " and failed", text.ReplaceLineEndings(" "));
    }
}
