using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Azure.Storage.Queues;
using FeedIngest.Cli.Terminal;
using FeedIngest.Core.Common;
using FeedIngest.Core.Sources;
using FeedIngest.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace FeedIngest.Cli.Commands;

/// <summary><c>feedingest articles list|show|follow</c>: read results without a storage explorer.</summary>
internal static class ArticlesCommand
{
    private static readonly string[] Statuses = [ArticleStatus.Stored, ArticleStatus.Failed, ArticleStatus.Duplicate];

    public static Command Create() => new("articles", "Inspect stored articles") { List(), Show(), Cluster(), Follow() };

    private static Command List()
    {
        var source = new Option<string?>("--source") { Description = "Only this source id" };
        var since = new Option<string?>("--since") { Description = "Only articles published on or after this date (yyyy-MM-dd, Vietnam time)" };
        var status = new Option<string?>("--status") { Description = "Only rows with this status: stored, failed, duplicate" };
        var command = new Command("list", "List articles from table Articles") { source, since, status };
        command.SetAction(async (parse, ct) =>
        {
            var wanted = parse.GetValue(status);
            if (wanted is not null && !Statuses.Contains(wanted))
                throw new UsageException($"--status must be one of {string.Join(", ", Statuses)} (got '{wanted}')");
            var from = ParseDate(parse.GetValue(since), "--since");
            var sourceId = parse.GetValue(source);

            await using var services = await CliHost.BuildWithStorageAsync(ct);
            var rows = new List<ArticleEntity>();
            if (from is { } fromTime)
            {
                // The date index: one query per Vietnam day since then, not a scan of table Articles.
                var index = services.GetRequiredService<ArticleIndex>();
                var tomorrow = VietnamTime.Day(DateTimeOffset.UtcNow).AddDays(1);
                await foreach (var row in index.ListByDayAsync(VietnamTime.Day(fromTime), tomorrow, sourceId, ct))
                    if (row.PublishedAtUtc >= fromTime && (wanted is null || row.Status == wanted))
                        rows.Add(new ArticleEntity { PartitionKey = row.SourceId, RowKey = row.ArticleId, PublishedAtUtc = row.PublishedAtUtc, Status = row.Status ?? "", Title = row.Title });
            }
            else
            {
                await foreach (var row in services.GetRequiredService<ArticleRepository>().ListAsync(sourceId, null, null, ct))
                    if (wanted is null || row.Status == wanted) rows.Add(row);
            }
            if (rows.Count == 0 && sourceId is not null && !await IsKnownSourceAsync(services, sourceId, ct))
                throw new UsageException($"--source: no source '{sourceId}' in the registry and no articles stored for it (see: feedingest sources list)");

            Screen.Out.Write(Tables.Articles(rows.OrderBy(r => r.PartitionKey, StringComparer.Ordinal).ThenByDescending(r => r.PublishedAtUtc)));
            Console.Out.WriteLine($"{rows.Count} article(s).");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>A date as people type it (yyyy-MM-dd, or a full ISO timestamp); a bare date is midnight in Vietnam.</summary>
    internal static DateTimeOffset? ParseDate(string? text, string flag)
    {
        if (text is null) return null;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            return new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), FeedIngest.Core.Common.VietnamTime.Offset);
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) && text.Contains('T'))
            return at;
        throw new UsageException($"{flag} takes a date like 2024-01-31 (or 2024-01-31T08:00+07:00), not '{text}'");
    }

    private static async Task<bool> IsKnownSourceAsync(IServiceProvider services, string sourceId, CancellationToken ct)
    {
        try
        {
            var registry = await services.GetRequiredService<SourceRegistryLoader>().LoadAsync(ct);
            return registry.Find(sourceId) is not null;
        }
        catch (Exception e) when (e is SourceRegistryValidationException or IOException or HttpRequestException)
        {
            return true; // No readable registry to check against: an empty list is the honest answer.
        }
    }

    private static Command Show()
    {
        var id = new Argument<string>("ID") { Description = "Article id (16 hex chars)" };
        var source = new Option<string?>("--source") { Description = "Source id (found automatically when omitted)" };
        var command = new Command("show", "Print an article's stored JSON document") { id, source };
        command.SetAction(async (parse, ct) =>
        {
            await using var services = await CliHost.BuildWithStorageAsync(ct);
            var repository = services.GetRequiredService<ArticleRepository>();
            var articleId = parse.GetValue(id)!;
            var sourceId = parse.GetValue(source);
            // The id index names the source (one query); articles stored before it existed need --source.
            sourceId ??= (await services.GetRequiredService<ArticleIndex>().SourcesOfAsync(articleId, ct)).FirstOrDefault();
            var json = sourceId is null ? null : await repository.GetDocumentJsonAsync(sourceId, articleId, ct);
            if (json is null)
            {
                Console.Error.WriteLine($"error: no stored article with id {articleId} (ids are in: feedingest articles list{(parse.GetValue(source) is null ? "; an article stored before the id index needs --source until its source's next runs index it" : "")})");
                return ExitCodes.NotFound;
            }
            Console.WriteLine(json);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Cluster()
    {
        var id = new Argument<string>("ID") { Description = "Article id (16 hex chars)" };
        var source = new Option<string?>("--source") { Description = "Source id (found automatically when omitted)" };
        var json = new Option<bool>("--json") { Description = "Print the cluster as JSON (the same shape as GET /api/articles/{source}/{id}/cluster)" };
        var command = new Command("cluster", "List the copies of an article's story across sources (its syndication cluster), earliest first") { id, source, json };
        command.SetAction(async (parse, ct) =>
        {
            var articleId = parse.GetValue(id)!;
            if (!System.Text.RegularExpressions.Regex.IsMatch(articleId, "^[0-9a-f]{16}$"))
                throw new UsageException($"ID must be an article id of 16 lower-case hex characters, not '{articleId}' (ids are in: feedingest articles list)");
            await using var services = await CliHost.BuildWithStorageAsync(ct);
            var (view, missing) = await services.GetRequiredService<FeedIngest.Core.Clustering.ClusterLookup>().GetAsync(parse.GetValue(source), articleId, ct);
            if (view is null)
            {
                Console.Error.WriteLine(missing == FeedIngest.Core.Clustering.ClusterLookup.Missing.Cluster
                    ? $"error: article {articleId} was stored before syndication clusters existed; reprocess it (feedingest reprocess --article {articleId}) to give it one"
                    : $"error: no stored article with id {articleId} (ids are in: feedingest articles list{(parse.GetValue(source) is null ? "; an article stored before the id index needs --source until its source's next runs index it" : "")})");
                return ExitCodes.NotFound;
            }
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(view, ContractJson.Options));
                return ExitCodes.Ok;
            }
            Console.WriteLine($"cluster {view.ClusterId}: {view.Copies.Count} cop{(view.Copies.Count == 1 ? "y" : "ies")}");
            foreach (var copy in view.Copies)
            {
                var marker = copy.ArticleId == view.ArticleId && copy.SourceId == view.SourceId ? "*" : " ";
                Console.WriteLine($"{marker} {copy.ArticleId}  {copy.SourceId,-20} {copy.PublishedAt ?? ContractJson.FormatTimestamp(copy.FirstSeen)}  {copy.Similarity:0.00}  {copy.Title}");
                if (copy.Url is not null) Console.WriteLine($"  {copy.Url}");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Follow()
    {
        var once = new Option<bool>("--once") { Description = "Print the events waiting now and exit" };
        var keep = new Option<bool>("--keep") { Description = "Leave the messages on the queue (the default; kept for scripts)" };
        var consume = new Option<bool>("--consume")
        {
            Description = "Take the events off the queue (receive and delete). Only for a dedicated consumer: other readers of article-events no longer see them",
        };
        var interval = new Option<double>("--interval") { Description = "Seconds between polls while following", DefaultValueFactory = _ => 2 };
        var command = new Command("follow",
            "Print new and changed articles from queue article-events. By default it only peeks: nothing is removed and no consumer loses an event")
            { once, keep, consume, interval };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(consume) && parse.GetValue(keep)) throw new UsageException("--consume and --keep exclude each other");
            var pause = TimeSpan.FromSeconds(Math.Clamp(parse.GetValue(interval), 0.2, 600));
            await using var services = await CliHost.BuildWithStorageAsync(ct);
            var queue = services.GetRequiredService<QueueServiceClient>().GetQueueClient(StorageNames.ArticleEventsQueue);
            await queue.CreateIfNotExistsAsync(cancellationToken: ct);
            var follower = parse.GetValue(consume) ? (IEventSource)new ConsumingSource(queue) : new PeekingSource(queue);
            var count = 0;
            try
            {
                while (true)
                {
                    var fresh = await follower.NextAsync(ct);
                    foreach (var body in fresh)
                    {
                        Print(body);
                        count++;
                    }
                    if (parse.GetValue(once) && (fresh.Count == 0 || follower is PeekingSource)) break;
                    if (fresh.Count == 0) await Task.Delay(pause, ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Ctrl+C ends following; what was printed stands.
            }
            Console.Error.WriteLine($"{count} event(s).");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Print(BinaryData body)
    {
        ArticleEvent? e = null;
        try { e = JsonSerializer.Deserialize<ArticleEvent>(body, ContractJson.Options); }
        catch (JsonException) { }
        Console.WriteLine(e is null ? $"(not an article event) {body}" : $"{e.Change,-11} {e.SourceId}/{e.ArticleId} v{e.Version} {e.Blob} {e.Url}");
    }

    private interface IEventSource
    {
        Task<IReadOnlyList<BinaryData>> NextAsync(CancellationToken ct);
    }

    /// <summary>
    /// Peeks (no dequeue count, no visibility change) and prints each message id once. Peek sees the first 32
    /// messages of the queue; later ones show as consumers take the first.
    /// </summary>
    private sealed class PeekingSource(QueueClient queue) : IEventSource
    {
        private const int MaxRemembered = 10_000;
        private readonly HashSet<string> _seen = [];
        private readonly Queue<string> _order = new();

        public async Task<IReadOnlyList<BinaryData>> NextAsync(CancellationToken ct)
        {
            var fresh = new List<BinaryData>();
            foreach (var message in (await queue.PeekMessagesAsync(32, ct)).Value)
            {
                if (!_seen.Add(message.MessageId)) continue;
                _order.Enqueue(message.MessageId);
                if (_order.Count > MaxRemembered) _seen.Remove(_order.Dequeue());
                fresh.Add(message.Body);
            }
            return fresh;
        }
    }

    /// <summary>Receives and deletes: the events are gone for every other reader.</summary>
    private sealed class ConsumingSource(QueueClient queue) : IEventSource
    {
        public async Task<IReadOnlyList<BinaryData>> NextAsync(CancellationToken ct)
        {
            var taken = new List<BinaryData>();
            foreach (var message in (await queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30), ct)).Value)
            {
                taken.Add(message.Body);
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, ct);
            }
            return taken;
        }
    }
}
