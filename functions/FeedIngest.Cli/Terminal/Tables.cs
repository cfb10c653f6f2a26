using System.Globalization;
using FeedIngest.Core.Storage;
using Spectre.Console;

namespace FeedIngest.Cli.Terminal;

/// <summary>Table rendering for rows the commands have already read: no storage access here.</summary>
internal static class Tables
{
    private static readonly TimeSpan Vietnam = FeedIngest.Core.Common.VietnamTime.Offset;

    /// <summary>A header rule and one space between columns: the runs table fits 120 columns.</summary>
    private static Table New(params string[] headers)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (var header in headers) table.AddColumn(new TableColumn($"[bold]{Markup.Escape(header)}[/]").Padding(0, 0, 1, 0));
        return table;
    }

    public static Table Articles(IEnumerable<ArticleEntity> rows)
    {
        var table = New("source", "article id", "published (+07)", "status", "title / reason");
        // Ids are keys people copy: never wrapped or cut.
        table.Columns[0].NoWrap();
        table.Columns[1].NoWrap();
        table.Columns[2].NoWrap();
        foreach (var row in rows)
        {
            var date = row.PublishedAtUtc?.ToOffset(Vietnam).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "-";
            var what = row.Status == ArticleStatus.Stored ? row.Title ?? "" : row.Error ?? row.DuplicateOf ?? row.Url ?? "";
            var status = row.Status == ArticleStatus.Failed ? $"[red]{row.Status}[/]" : Markup.Escape(row.Status ?? "");
            table.AddRow(new Markup(Markup.Escape(row.PartitionKey)), new Markup(Markup.Escape(row.RowKey)), new Markup(date),
                new Markup(status), new Markup(Markup.Escape(what)));
        }
        return table;
    }

    public static Table Runs(IEnumerable<RunEntity> rows)
    {
        var table = New("run", "host", "state", "took", "found", "stored", "updated", "unchanged", "skipped", "failed", "sources");
        // Everything but the source list stays on one line; on a narrow terminal the source list wraps.
        for (var i = 0; i <= 9; i++) table.Columns[i].NoWrap();
        for (var i = 4; i <= 9; i++) table.Columns[i].RightAligned();
        foreach (var run in rows)
        {
            var took = run.EndedAt is { } end ? $"{(end - run.StartedAt).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s" : "-";
            var state = run.State switch
            {
                RunState.Completed => "[green]completed[/]",
                RunState.Failed => "[red]failed[/]",
                RunState.CompletedWithFailures => "[yellow]completed-with-failures[/]",
                RunState.Cancelled => "[yellow]cancelled[/]",
                _ => Markup.Escape(run.State),
            };
            table.AddRow(
                new Markup(Markup.Escape(run.RunId)), new Markup(Markup.Escape(run.Host)), new Markup(state), new Markup(took),
                Number(run.Discovered), Number(run.Stored), Number(run.Updated), Number(run.Unchanged), Number(run.Skipped),
                new Markup(run.Failed > 0 ? $"[red]{run.Failed}[/]" : "0"), new Markup(Markup.Escape(run.Sources ?? "")));
        }
        return table;
    }

    private static Markup Number(int n) => new(n.ToString(CultureInfo.InvariantCulture));
}
