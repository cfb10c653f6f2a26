using Azure;
using Azure.Data.Tables;
using FeedIngest.Core.Discovery;

namespace FeedIngest.Core.Storage;

public static class UrlStatus
{
    /// <summary>Discovered and handed to processing; not yet stored or failed (a crash leaves it here for the next run).</summary>
    public const string Pending = "pending";
    public const string Stored = "stored";
    public const string Failed = "failed";
    public const string Skipped = "skipped";
    public const string Duplicate = "duplicate";
}

/// <summary>One row per discovered URL (PartitionKey sourceId, RowKey id of the URL): what became of it.</summary>
public sealed class UrlEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Url { get; set; } = "";
    public string Status { get; set; } = "";
    public string? Reason { get; set; }
    /// <summary>Why a failed or skipped URL was not stored: a <see cref="Fetching.FailureCause"/> name ("dns", "http-status", …); null otherwise.</summary>
    public string? Cause { get; set; }
    /// <summary>The article the URL resolved to (its page may name another canonical URL).</summary>
    public string? ArticleId { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }
    public string? LastRunId { get; set; }
    /// <summary>
    /// A failure that fetching again will not fix (404/410, not HTML, over the size cap, redirect overflow): not
    /// re-queued every run, only once its last attempt is older than FeedIngest:PermanentRetryDays, or by a refetch.
    /// </summary>
    public bool Permanent { get; set; }
}

/// <summary>Every discovered URL ends here as stored, failed (with a reason) or skipped (with a reason).</summary>
public sealed class UrlIndex(TableServiceClient tables, StorageInitializer storage) : IKnownArticles
{
    private readonly TableClient _table = tables.GetTableClient(StorageNames.UrlsTable);

    public static string Key(Uri canonicalUrl) => UrlCanonicalizer.ArticleId(canonicalUrl);

    public async Task<UrlEntity?> GetAsync(string sourceId, Uri canonicalUrl, CancellationToken cancellationToken)
    {
        await EnsureAsync(cancellationToken);
        var row = await _table.GetEntityIfExistsAsync<UrlEntity>(sourceId, Key(canonicalUrl), cancellationToken: cancellationToken);
        return row.HasValue ? row.Value : null;
    }

    public async ValueTask<bool> IsKnownAsync(string sourceId, Uri canonicalUrl, CancellationToken cancellationToken)
    {
        var row = await GetAsync(sourceId, canonicalUrl, cancellationToken);
        return row is { Status: UrlStatus.Stored or UrlStatus.Duplicate };
    }

    /// <summary>Notes a newly discovered URL before any work on it, so a run that dies still leaves it for the next one.</summary>
    public async Task MarkPendingAsync(string sourceId, Uri canonicalUrl, string? runId, CancellationToken cancellationToken)
    {
        await EnsureAsync(cancellationToken);
        try
        {
            await _table.AddEntityAsync(new UrlEntity
            {
                PartitionKey = sourceId, RowKey = Key(canonicalUrl), Url = StorageLimits.Cap(canonicalUrl.AbsoluteUri, StorageLimits.MaxUrlChars)!,
                Status = UrlStatus.Pending, LastAttemptAt = DateTimeOffset.UtcNow, LastRunId = runId,
            }, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
        }
    }

    /// <summary>Notes many newly discovered URLs of one source as pending, 100 per request (a URL already known keeps its row).</summary>
    public async Task MarkPendingManyAsync(string sourceId, IReadOnlyCollection<Uri> canonicalUrls, string? runId, CancellationToken cancellationToken)
    {
        await EnsureAsync(cancellationToken);
        var now = DateTimeOffset.UtcNow;
        foreach (var chunk in canonicalUrls.DistinctBy(Key).Chunk(100))
        {
            var rows = chunk.Select(u => new UrlEntity
            {
                PartitionKey = sourceId, RowKey = Key(u), Url = StorageLimits.Cap(u.AbsoluteUri, StorageLimits.MaxUrlChars)!,
                Status = UrlStatus.Pending, LastAttemptAt = now, LastRunId = runId,
            }).ToList();
            try
            {
                await _table.SubmitTransactionAsync(rows.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r)), cancellationToken);
            }
            catch (TableTransactionFailedException)
            {
                foreach (var url in chunk) await MarkPendingAsync(sourceId, url, runId, cancellationToken); // one exists already (a racing discovery)
            }
        }
    }

    /// <summary>
    /// Records what became of a URL, with the row's ETag: <paramref name="known"/> (as read earlier by the caller) saves
    /// a read; on a conflict the row is read again and the change re-applied. A failure never replaces a stored URL
    /// (a late "failed" from a racing delivery), and attempts add up.
    /// </summary>
    public async Task RecordAsync(string sourceId, Uri canonicalUrl, string status, string? reason, string? articleId, string? runId, CancellationToken cancellationToken,
        UrlEntity? known = null, bool permanent = false, Fetching.FailureCause cause = Fetching.FailureCause.None)
    {
        await EnsureAsync(cancellationToken);
        await OptimisticConcurrency.RetryAsync(async attempt =>
        {
            var existing = attempt == 0 && known is not null ? known : await GetAsync(sourceId, canonicalUrl, cancellationToken);
            // A stored URL seen again with nothing new is not rewritten (a re-run rewrites nothing).
            if (existing is not null && existing.Status == status && existing.ArticleId == articleId && existing.Reason == reason && status == UrlStatus.Stored)
                return;
            if (existing is { Status: UrlStatus.Stored or UrlStatus.Duplicate } && status is UrlStatus.Failed or UrlStatus.Pending)
                return;
            var row = existing ?? new UrlEntity { PartitionKey = sourceId, RowKey = Key(canonicalUrl), Url = StorageLimits.Cap(canonicalUrl.AbsoluteUri, StorageLimits.MaxUrlChars)! };
            row.Status = status;
            row.Reason = StorageLimits.Cap(reason, 4_000);
            row.Cause = cause == Fetching.FailureCause.None ? null : Fetching.FailureCauses.Name(cause);
            row.ArticleId = articleId ?? row.ArticleId;
            row.Attempts++;
            row.LastAttemptAt = DateTimeOffset.UtcNow;
            row.LastRunId = runId;
            row.Permanent = status == UrlStatus.Failed && permanent;
            if (existing is null) await _table.AddEntityAsync(row, cancellationToken);
            else await _table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken);
        }, cancellationToken);
    }

    public async IAsyncEnumerable<UrlEntity> ListAsync(string? sourceId, string? status, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await EnsureAsync(cancellationToken);
        var filters = new List<string>();
        if (sourceId is not null) filters.Add(TableClient.CreateQueryFilter($"PartitionKey eq {sourceId}"));
        if (status is not null) filters.Add(TableClient.CreateQueryFilter($"Status eq {status}"));
        await foreach (var row in _table.QueryAsync<UrlEntity>(filters.Count == 0 ? null : string.Join(" and ", filters), cancellationToken: cancellationToken))
            yield return row;
    }

    private Task EnsureAsync(CancellationToken cancellationToken) => storage.EnsureTablesAsync(cancellationToken);
}
