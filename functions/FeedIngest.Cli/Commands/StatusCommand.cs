using System.CommandLine;
using System.Globalization;
using Azure;
using FeedIngest.Core.Health;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace FeedIngest.Cli.Commands;

/// <summary><c>feedingest status [--json] [--runs N]</c>: per-source health, drift flags and recent runs from table SourceHealth.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the status report as JSON (the same document GET /api/status returns)" };
        var runs = new Option<int>("--runs") { Description = "How many recent runs to show", DefaultValueFactory = _ => 5 };
        var command = new Command("status", "Per-source health: last attempt and success, failed runs in a row, stored per day, failures by cause, extraction-quality drift") { json, runs };
        command.SetAction(async (parse, ct) =>
        {
            await using var services = await CliHost.BuildWithStorageAsync(ct);
            StatusReport report;
            try
            {
                report = await services.GetRequiredService<StatusReportService>().GetAsync(Math.Clamp(parse.GetValue(runs), 0, 100), ct);
            }
            catch (Exception e) when (e is RequestFailedException or AggregateException or HttpRequestException)
            {
                Console.Error.WriteLine($"error: cannot reach storage ({e.GetBaseException().Message}). Is Azurite running? ./run.sh starts it.");
                return HarvestCommand.ExitStorageUnreachable;
            }
            if (parse.GetValue(json))
            {
                Console.WriteLine(StatusReportService.ToJson(report));
                return 0;
            }
            Print(report);
            return 0;
        });
        return command;
    }

    private static void Print(StatusReport report)
    {
        var console = ConsoleOutput.Create();
        if (report.Sources.Count == 0)
        {
            console.WriteLine("No source has been harvested yet (table SourceHealth is empty). Run `feedingest harvest --once` first.");
            return;
        }
        var table = new Table().Border(TableBorder.Rounded).Title("Sources");
        foreach (var column in new[] { "Source", "State", "Last attempt", "Last success", "Fails", "Cause", "Stored 1d/7d/30d", "Empty", "No date", "No title", "Mean chars", "Dropped", "Drift", "Failures (last run)" })
            table.AddColumn(new TableColumn(column).NoWrap());
        foreach (var s in report.Sources)
        {
            var q = s.Quality;
            var state = s.State switch { "failing" => "[red bold]failing[/]", "drift" => "[yellow bold]drift[/]", _ => "[green]ok[/]" };
            table.AddRow(
                Markup.Escape(s.SourceId), state, When(s.LastAttemptAt), When(s.LastSuccessAt),
                s.ConsecutiveFailedRuns.ToString(CultureInfo.InvariantCulture), Markup.Escape(s.LastRunCause ?? "-"),
                $"{s.Stored1d}/{s.Stored7d}/{s.Stored30d}",
                Pct(q?.EmptyShare, q?.BaselineEmptyShare), Pct(q?.NoDateShare, q?.BaselineNoDateShare), Pct(q?.NoTitleShare, q?.BaselineNoTitleShare),
                Num(q?.MeanBodyChars, q?.BaselineMeanBodyChars), Pct(q?.DroppedShare, q?.BaselineDroppedShare),
                s.Drift.Count == 0 ? "-" : "[yellow]" + Markup.Escape(string.Join(", ", s.Drift.Select(d => $"{d.Signal} {d.Current} (was {d.Baseline})"))) + "[/]",
                Markup.Escape(s.LastRunFailuresByCause.Count == 0 ? "-" : string.Join(", ", s.LastRunFailuresByCause.Select(c => $"{c.Key} x{c.Value}"))));
        }
        console.Write(table);
        console.WriteLine("Quality columns: last run with enough pages (baseline = median of the runs before it, in brackets).");

        if (report.Runs.Count > 0)
        {
            var runs = new Table().Border(TableBorder.Simple).Title("Recent runs");
            foreach (var column in new[] { "Run", "Host", "State", "Found", "Stored", "Updated", "Unchanged", "Skipped", "Failed" })
                runs.AddColumn(new TableColumn(column).NoWrap());
            foreach (var r in report.Runs)
                runs.AddRow(Markup.Escape(r.RunId), r.Host, Markup.Escape(r.State), $"{r.Discovered}", $"{r.Stored}", $"{r.Updated}", $"{r.Unchanged}", $"{r.Skipped}", $"{r.Failed}");
            console.Write(runs);
        }
        foreach (var f in report.RecentFailures.Take(10))
            console.WriteLine($"  ! {f.Cause,-20} {f.Url ?? "(discovery)"} — {f.Reason}");
    }

    private static string When(DateTimeOffset? at) => at is { } t ? t.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "never";

    private static string Pct(double? value, double? baseline) =>
        value is null ? "-" : $"{value * 100:0}%" + (baseline is null ? "" : $" ({baseline * 100:0}%)");

    private static string Num(double? value, double? baseline) =>
        value is null ? "-" : $"{value:0}" + (baseline is null ? "" : $" ({baseline:0})");
}

/// <summary>Spectre console on stdout; wide when redirected, so a piped or logged table is not wrapped at 80 columns.</summary>
internal static class ConsoleOutput
{
    public static IAnsiConsole Create()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        if (Console.IsOutputRedirected) console.Profile.Width = 400;
        return console;
    }
}
