using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Azure.Storage.Queues;
using FeedIngest.Core.Common;
using FeedIngest.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace FeedIngest.Cli.Commands;

/// <summary><c>feedingest articles list|show|follow</c>: read results without a storage explorer.</summary>
internal static class ArticlesCommand
{
    public static Command Create() => new("articles", "Inspect stored articles") { List(), Show(), Follow() };

    private static Command List()
    {
        var source = new Option<string?>("--source") { Description = "Only this source id" };
        var since = new Option<DateTimeOffset?>("--since") { Description = "Only articles published on or after this date (e.g. 2024-01-31)" };
        var status = new Option<string?>("--status") { Description = "Only rows with this status (stored, failed, duplicate)" };
        var command = new Command("list", "List articles from table Articles") { source, since, status };
        command.SetAction(async (parse, ct) =>
        {
            await using var services = CliHost.Build();
            var wanted = parse.GetValue(status);
            var lines = new List<(string Source, DateTimeOffset? Published, string Line)>();
            void Add(string sourceId, string articleId, DateTimeOffset? published, string? what)
            {
                var date = published is { } p ? VietnamTime.ToVietnam(p).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "????-??-?? ??:??";
                lines.Add((sourceId, published, $"{sourceId,-14} {articleId}  {date}  {what}"));
            }
            if (parse.GetValue(since) is { } from)
            {
                // The date index: one query per Vietnam day since then, not a scan of table Articles.
                var index = services.GetRequiredService<ArticleIndex>();
                var today = VietnamTime.Day(DateTimeOffset.UtcNow).AddDays(1);
                await foreach (var row in index.ListByDayAsync(VietnamTime.Day(from), today, parse.GetValue(source), ct))
                    if (row.PublishedAtUtc >= from && (wanted is null || row.Status == wanted))
                        Add(row.SourceId, row.ArticleId, row.PublishedAtUtc, row.Status == ArticleStatus.Stored ? row.Title : $"[{row.Status}] {row.Title}");
            }
            else
            {
                var repository = services.GetRequiredService<ArticleRepository>();
                await foreach (var row in repository.ListAsync(parse.GetValue(source), null, null, ct))
                    if (wanted is null || row.Status == wanted)
                        Add(row.PartitionKey, row.RowKey, row.PublishedAtUtc, row.Status == ArticleStatus.Stored ? row.Title : $"[{row.Status}] {row.Error ?? row.DuplicateOf ?? row.Url}");
            }
            foreach (var line in lines.OrderBy(l => l.Source, StringComparer.Ordinal).ThenByDescending(l => l.Published))
                Console.WriteLine(line.Line);
            Console.WriteLine($"{lines.Count} article(s).");
            return 0;
        });
        return command;
    }

    private static Command Show()
    {
        var id = new Argument<string>("ID") { Description = "Article id (16 hex chars)" };
        var source = new Option<string?>("--source") { Description = "Source id (found automatically when omitted)" };
        var command = new Command("show", "Print an article's stored JSON document") { id, source };
        command.SetAction(async (parse, ct) =>
        {
            await using var services = CliHost.Build();
            var repository = services.GetRequiredService<ArticleRepository>();
            var articleId = parse.GetValue(id)!;
            var sourceId = parse.GetValue(source);
            // The id index names the source (one query); articles stored before it existed need --source.
            sourceId ??= (await services.GetRequiredService<ArticleIndex>().SourcesOfAsync(articleId, ct)).FirstOrDefault();
            var json = sourceId is null ? null : await repository.GetDocumentJsonAsync(sourceId, articleId, ct);
            if (json is null)
            {
                Console.Error.WriteLine($"error: no stored article with id {articleId}{(parse.GetValue(source) is null ? " (articles stored before the id index need --source)" : "")}");
                return 1;
            }
            Console.WriteLine(json);
            return 0;
        });
        return command;
    }

    private static Command Follow()
    {
        var once = new Option<bool>("--once") { Description = "Print the events waiting now and exit" };
        var keep = new Option<bool>("--keep") { Description = "Leave the messages on the queue (peek) instead of consuming them" };
        var command = new Command("follow", "Print new and changed articles from queue article-events (a consumer sample)") { once, keep };
        command.SetAction(async (parse, ct) =>
        {
            await using var services = CliHost.Build();
            var queue = services.GetRequiredService<QueueServiceClient>().GetQueueClient(StorageNames.ArticleEventsQueue);
            await queue.CreateIfNotExistsAsync(cancellationToken: ct);
            var count = 0;
            while (!ct.IsCancellationRequested)
            {
                var batch = parse.GetValue(keep)
                    ? (await queue.PeekMessagesAsync(32, ct)).Value.Select(m => (Body: m.Body, Id: (string?)null, Receipt: (string?)null)).ToArray()
                    : (await queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30), ct)).Value.Select(m => (Body: m.Body, Id: (string?)m.MessageId, Receipt: (string?)m.PopReceipt)).ToArray();
                foreach (var message in batch)
                {
                    var e = JsonSerializer.Deserialize<ArticleEvent>(message.Body, ContractJson.Options);
                    if (e is not null) Console.WriteLine($"{e.Change,-11} {e.SourceId}/{e.ArticleId} v{e.Version} {e.Blob} {e.Url}");
                    if (message.Id is not null) await queue.DeleteMessageAsync(message.Id, message.Receipt, ct);
                    count++;
                }
                if (parse.GetValue(once) && (batch.Length == 0 || parse.GetValue(keep))) break;
                if (batch.Length == 0)
                {
                    try { await Task.Delay(TimeSpan.FromSeconds(2), ct); } catch (OperationCanceledException) { break; }
                }
            }
            Console.Error.WriteLine($"{count} event(s).");
            return 0;
        });
        return command;
    }
}
