using Azure;
using Azure.Data.Tables;

namespace FeedIngest.Core.Storage;

/// <summary>
/// Table <c>Articles</c> (PartitionKey sourceId, RowKey articleId): reads, ETag-guarded writes, failure records.
/// Reads and failure records need the tables only, so they work while blob storage does not.
/// </summary>
public sealed class ArticleRows(TableServiceClient tables, StorageInitializer storage)
{
    private readonly TableClient _articles = tables.GetTableClient(StorageNames.ArticlesTable);

    public async Task<ArticleEntity?> GetAsync(string sourceId, string articleId, CancellationToken cancellationToken)
    {
        if (!TableKeys.IsValid(sourceId) || !TableKeys.IsValid(articleId)) return null;
        await storage.EnsureTablesAsync(cancellationToken);
        var row = await _articles.GetEntityIfExistsAsync<ArticleEntity>(sourceId, articleId, cancellationToken: cancellationToken);
        return row.HasValue ? row.Value : null;
    }

    public async IAsyncEnumerable<ArticleEntity> ListAsync(string? sourceId, DateTimeOffset? publishedFrom, DateTimeOffset? publishedTo,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await storage.EnsureTablesAsync(cancellationToken);
        var filters = new List<string>();
        if (sourceId is not null) filters.Add(TableClient.CreateQueryFilter($"PartitionKey eq {sourceId}"));
        if (publishedFrom is { } from) filters.Add(TableClient.CreateQueryFilter($"PublishedAtUtc ge {from.UtcDateTime}"));
        if (publishedTo is { } to) filters.Add(TableClient.CreateQueryFilter($"PublishedAtUtc lt {to.UtcDateTime}"));
        var filter = filters.Count == 0 ? null : string.Join(" and ", filters);
        await foreach (var row in _articles.QueryAsync<ArticleEntity>(filter, cancellationToken: cancellationToken))
            yield return row;
    }

    /// <summary>The source's stored articles with ids after <paramref name="afterArticleId"/> (all with null), in id order: one partition.</summary>
    public async IAsyncEnumerable<ArticleEntity> ListStoredAfterAsync(string sourceId, string? afterArticleId,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await storage.EnsureTablesAsync(cancellationToken);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {sourceId} and RowKey gt {afterArticleId ?? ""} and Status eq {ArticleStatus.Stored}");
        await foreach (var row in _articles.QueryAsync<ArticleEntity>(filter, cancellationToken: cancellationToken))
            yield return row;
    }

    /// <summary>How many articles of the source are stored (status stored), read with a narrow projection.</summary>
    public async Task<int> CountStoredAsync(string sourceId, CancellationToken cancellationToken)
    {
        await storage.EnsureTablesAsync(cancellationToken);
        var count = 0;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {sourceId} and Status eq {ArticleStatus.Stored}");
        await foreach (var _ in _articles.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: cancellationToken))
            count++;
        return count;
    }

    /// <summary>Adds or (ETag-guarded) replaces the row and keeps the new ETag on it, so the caller can go on without a re-read.</summary>
    public async Task WriteAsync(ArticleEntity row, bool exists, CancellationToken cancellationToken)
    {
        await storage.EnsureTablesAsync(cancellationToken);
        var response = exists
            ? await _articles.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken)
            : await _articles.AddEntityAsync(row, cancellationToken);
        if (response.Headers.ETag is { } etag) row.ETag = etag;
    }

    /// <summary>Notes a re-crawl check on the row (a merge of one column; nothing else is rewritten).</summary>
    public async Task MarkCheckedAsync(string sourceId, string articleId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await storage.EnsureTablesAsync(cancellationToken);
        await _articles.UpdateEntityAsync(new TableEntity(sourceId, articleId) { [nameof(ArticleEntity.LastCheckedAt)] = at }, ETag.All, TableUpdateMode.Merge, cancellationToken);
    }

    /// <summary>Records a URL that could not be stored on the article row (status failed, with the reason).</summary>
    public async Task RecordFailureAsync(string sourceId, string articleId, string url, string reason, string? runId, CancellationToken cancellationToken)
    {
        await storage.EnsureTablesAsync(cancellationToken);
        // With the row's ETag: a failure racing a delivery that stores the article never replaces the stored row.
        await OptimisticConcurrency.RetryAsync(async _ =>
        {
            var existing = await GetAsync(sourceId, articleId, cancellationToken);
            if (existing is { Status: ArticleStatus.Stored })
            {
                // A stored article stays readable; the failure of a later attempt is noted beside it.
                existing.Error = Truncate(reason);
                existing.LastRunId = runId;
                await _articles.UpdateEntityAsync(existing, existing.ETag, TableUpdateMode.Replace, cancellationToken);
                return;
            }
            var row = existing ?? new ArticleEntity { PartitionKey = sourceId, RowKey = articleId };
            row.Url = StorageLimits.Cap(url, StorageLimits.MaxUrlChars);
            row.CanonicalUrl ??= row.Url;
            row.Status = ArticleStatus.Failed;
            row.Error = Truncate(reason);
            row.LastRunId = runId;
            if (existing is null) await _articles.AddEntityAsync(row, cancellationToken);
            else await _articles.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken);
        }, cancellationToken);
    }

    /// <summary>Removes a failed placeholder row once the URL stored under its page's canonical id.</summary>
    public async Task RemoveFailedPlaceholderAsync(string sourceId, string articleId, CancellationToken cancellationToken)
    {
        var row = await GetAsync(sourceId, articleId, cancellationToken);
        if (row is { Status: ArticleStatus.Failed })
            await _articles.DeleteEntityAsync(row, row.ETag, cancellationToken);
    }

    private static string Truncate(string value) => value.Length <= 4000 ? value : value[..4000];
}
