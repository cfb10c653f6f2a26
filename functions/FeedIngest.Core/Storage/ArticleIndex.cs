using System.Globalization;
using Azure;
using Azure.Data.Tables;
using FeedIngest.Core.Common;

namespace FeedIngest.Core.Storage;

/// <summary>A row of the date index: enough to list an article without reading table Articles.</summary>
public sealed class ArticleDayEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string SourceId { get; set; } = "";
    public string ArticleId { get; set; } = "";
    public string? Title { get; set; }
    public DateTimeOffset? PublishedAtUtc { get; set; }
    public string? Status { get; set; }
    /// <summary>The article's URL (capped like the row's): what a re-crawl fetches. Null on rows written before 2026-12-03.</summary>
    public string? Url { get; set; }
    /// <summary>When the article was last fetched or re-checked: the re-crawl window's clock. Null on rows written before 2026-12-03.</summary>
    public DateTimeOffset? CheckedAt { get; set; }
}

/// <summary>
/// Secondary indexes of table Articles, in table ArticleIndex, written when an article row is first stored (and
/// when its publish date moves):
/// <list type="bullet">
/// <item>"id|{articleId}" / sourceId — which source holds an article (reprocess by id, <c>articles show</c>): 1 query.</item>
/// <item>"day|{yyyy-MM-dd}" / "{sourceId}|{articleId}" — articles by Vietnam publish day (<c>articles list --since</c>):
/// 1 query per day of the range (per 1,000 articles of a day), never a scan of Articles; and a source's articles
/// inside the re-crawl window, with their URL and last check (<see cref="ListPublishedAsync"/>).</item>
/// <item>"backfill|{sourceId}" / "" — how far the source's articles stored before the index existed have been indexed
/// (<see cref="GetBackfillAsync"/>): once complete, every stored article of the source is in the index.</item>
/// </list>
/// </summary>
public sealed class ArticleIndex(TableServiceClient tables, StorageInitializer storage)
{
    private const string IdPrefix = "id|";
    private const string DayPrefix = "day|";
    private const string BackfillPrefix = "backfill|";
    private readonly TableClient _table = tables.GetTableClient(StorageNames.ArticleIndexTable);

    public static string DayKey(DateOnly day) => DayPrefix + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Indexes a stored article (both rows; Replace, so a repeat writes the same thing).</summary>
    public async Task AddAsync(ArticleEntity row, DateTimeOffset? previousPublishedAtUtc, CancellationToken cancellationToken)
    {
        await storage.EnsureTablesAsync(cancellationToken);
        await _table.UpsertEntityAsync(new TableEntity(IdPrefix + row.RowKey, row.PartitionKey), TableUpdateMode.Replace, cancellationToken);
        if (row.PublishedAtUtc is not { } published) return;
        await _table.UpsertEntityAsync(new ArticleDayEntity
        {
            PartitionKey = DayKey(VietnamTime.Day(published)), RowKey = $"{row.PartitionKey}|{row.RowKey}",
            SourceId = row.PartitionKey, ArticleId = row.RowKey, Title = StorageLimits.Cap(row.Title, 1_000), PublishedAtUtc = published, Status = row.Status,
            Url = row.Url, CheckedAt = row.LastSeenAt(),
        }, TableUpdateMode.Replace, cancellationToken);
        if (previousPublishedAtUtc is { } before && VietnamTime.Day(before) != VietnamTime.Day(published))
        {
            try { await _table.DeleteEntityAsync(DayKey(VietnamTime.Day(before)), $"{row.PartitionKey}|{row.RowKey}", ETag.All, cancellationToken); }
            catch (RequestFailedException e) when (e.Status == 404) { }
        }
    }

    /// <summary>
    /// Records on the article's day row that it was fetched or re-checked at <paramref name="at"/> (one merge; nothing
    /// for an article without a publish date, which has no day row, or one indexed before the day index existed).
    /// </summary>
    public Task MarkCheckedAsync(string sourceId, string articleId, DateTimeOffset? publishedAtUtc, DateTimeOffset at, CancellationToken cancellationToken) =>
        MergeDayRowAsync(sourceId, articleId, publishedAtUtc, nameof(ArticleDayEntity.CheckedAt), at.ToUniversalTime(), cancellationToken);

    /// <summary>A stored article that became something else (a duplicate of another's text): its day row says so, and no re-crawl picks it.</summary>
    public Task MarkStatusAsync(string sourceId, string articleId, DateTimeOffset? publishedAtUtc, string status, CancellationToken cancellationToken) =>
        MergeDayRowAsync(sourceId, articleId, publishedAtUtc, nameof(ArticleDayEntity.Status), status, cancellationToken);

    private async Task MergeDayRowAsync(string sourceId, string articleId, DateTimeOffset? publishedAtUtc, string column, object value, CancellationToken cancellationToken)
    {
        if (publishedAtUtc is not { } published) return;
        await storage.EnsureTablesAsync(cancellationToken);
        try
        {
            await _table.UpdateEntityAsync(new TableEntity(DayKey(VietnamTime.Day(published)), $"{sourceId}|{articleId}") { [column] = value },
                ETag.All, TableUpdateMode.Merge, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
    }

    /// <summary>
    /// A source's indexed articles published on Vietnam days <paramref name="from"/>..<paramref name="to"/>, in one query over
    /// that range of day partitions: its cost follows the rows of those days, never the whole archive.
    /// </summary>
    public async IAsyncEnumerable<ArticleDayEntity> ListPublishedAsync(string sourceId, DateOnly from, DateOnly to,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await storage.EnsureTablesAsync(cancellationToken);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey ge {DayKey(from)} and PartitionKey le {DayKey(to)} and RowKey ge {sourceId + "|"} and RowKey lt {sourceId + "}"}");
        await foreach (var row in _table.QueryAsync<ArticleDayEntity>(filter, cancellationToken: cancellationToken))
            yield return row;
    }

    /// <summary>
    /// How far the source's articles stored before the index existed have been indexed: complete, or the last article
    /// id indexed so far (null: not started). One point read.
    /// </summary>
    public async Task<(bool Complete, string? Through)> GetBackfillAsync(string sourceId, CancellationToken cancellationToken)
    {
        await storage.EnsureTablesAsync(cancellationToken);
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(BackfillPrefix + sourceId, "", cancellationToken: cancellationToken);
        return row.HasValue ? (row.Value!.GetBoolean("Complete") ?? false, row.Value!.GetString("Through")) : (false, null);
    }

    public async Task SaveBackfillAsync(string sourceId, string? through, bool complete, CancellationToken cancellationToken)
    {
        await storage.EnsureTablesAsync(cancellationToken);
        await _table.UpsertEntityAsync(new TableEntity(BackfillPrefix + sourceId, "") { ["Through"] = through, ["Complete"] = complete }, TableUpdateMode.Replace, cancellationToken);
    }

    /// <summary>The sources that hold an article with this id (normally one).</summary>
    public async Task<IReadOnlyList<string>> SourcesOfAsync(string articleId, CancellationToken cancellationToken)
    {
        if (!TableKeys.IsValid(articleId)) return [];
        await storage.EnsureTablesAsync(cancellationToken);
        var sources = new List<string>();
        await foreach (var row in _table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {IdPrefix + articleId}"), select: ["RowKey"], cancellationToken: cancellationToken))
            sources.Add(row.RowKey);
        return sources;
    }

    /// <summary>Articles published on Vietnam days <paramref name="from"/>..<paramref name="to"/>, newest day first; optionally one source.</summary>
    public async IAsyncEnumerable<ArticleDayEntity> ListByDayAsync(DateOnly from, DateOnly to, string? sourceId,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await storage.EnsureTablesAsync(cancellationToken);
        for (var day = to; day >= from; day = day.AddDays(-1))
        {
            var filter = sourceId is null
                ? TableClient.CreateQueryFilter($"PartitionKey eq {DayKey(day)}")
                : TableClient.CreateQueryFilter($"PartitionKey eq {DayKey(day)} and RowKey ge {sourceId + "|"} and RowKey lt {sourceId + "}"}");
            await foreach (var row in _table.QueryAsync<ArticleDayEntity>(filter, cancellationToken: cancellationToken))
                yield return row;
        }
    }
}
