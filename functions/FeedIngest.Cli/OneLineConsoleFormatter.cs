using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace FeedIngest.Cli;

/// <summary>
/// The CLI's log lines: "HH:mm:ss warn: message" — one line per event. An exception adds its type and first message
/// line; its stack trace only with <c>--verbose</c> (a failed fetch is a fact to report, not a crash to debug).
/// </summary>
internal sealed class OneLineConsoleFormatter(IOptionsMonitor<OneLineConsoleFormatterOptions> options) : ConsoleFormatter(Name)
{
    public new const string Name = "feedingest-oneline";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (string.IsNullOrEmpty(message) && logEntry.Exception is null) return;
        var level = logEntry.LogLevel switch
        {
            LogLevel.Trace => "trce", LogLevel.Debug => "dbug", LogLevel.Information => "info",
            LogLevel.Warning => "warn", LogLevel.Error => "fail", _ => "crit",
        };
        var verbose = options.CurrentValue.Verbose;
        textWriter.Write($"{DateTime.Now:HH:mm:ss} {level}: ");
        if (verbose) textWriter.Write($"{logEntry.Category}: ");
        textWriter.Write(message.ReplaceLineEndings(" "));
        if (logEntry.Exception is { } ex)
        {
            if (verbose) textWriter.Write(Environment.NewLine + ex);
            else textWriter.Write($" ({ex.GetType().Name}: {ex.Message.Split('\n')[0].Trim()})");
        }
        textWriter.Write(Environment.NewLine);
    }
}

internal sealed class OneLineConsoleFormatterOptions : ConsoleFormatterOptions
{
    public bool Verbose { get; set; }
}
