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

    /// <summary>At most this many discovered URLs are looked up by point reads; more are looked up by reading the partition.</summary>
    public const int PointReadsUpTo = 64;
    /// <summary>A partition read may take up to one page (≤ 1,000 rows) per this many URLs looked up: at most a tenth of the point reads it replaces.</summary>
    public const int UrlsPerScanPage = 10;
    private const int PointReadsInFlight = 16;
    private static readonly string[] LookupColumns =
        ["RowKey", nameof(UrlEntity.Status), nameof(UrlEntity.Permanent), nameof(UrlEntity.Attempts), nameof(UrlEntity.LastAttemptAt), nameof(UrlEntity.LastRunId), nameof(UrlEntity.ArticleId)];

    /// <summary>
    /// The rows of those of <paramref name="canonicalUrls"/> the source knows, by URL id (status and attempt columns only).
    /// A few URLs (a feed, a listing page) are point reads, 16 in flight; many (a sitemap) read the source's partition in
    /// key order instead — 1 request per 1,000 rows — for at most one page per <see cref="UrlsPerScanPage"/> URLs, and
    /// the URLs whose ids lie past where that budget ran out are point reads. So a sitemap of 3,000 URLs costs 1–3
    /// requests instead of 3,000, and a partition far larger than the sitemap costs at most a tenth more than point reads.
    /// </summary>
    public Task<IReadOnlyDictionary<string, UrlEntity>> FindKnownAsync(string sourceId, IReadOnlyCollection<Uri> canonicalUrls, CancellationToken cancellationToken) =>
        FindKnownAsync(sourceId, canonicalUrls, rowsPerPage: 1000, cancellationToken);

    /// <summary>As above, with pages of <paramref name="rowsPerPage"/> rows (tests use small pages to reach the budget).</summary>
    internal async Task<IReadOnlyDictionary<string, UrlEntity>> FindKnownAsync(string sourceId, IReadOnlyCollection<Uri> canonicalUrls, int rowsPerPage, CancellationToken cancellationToken)
    {
        await EnsureAsync(cancellationToken);
        var wanted = canonicalUrls.Select(Key).ToHashSet(StringComparer.Ordinal);
        var found = new Dictionary<string, UrlEntity>(StringComparer.Ordinal);
        var unsettled = wanted.ToList();
        if (wanted.Count > PointReadsUpTo)
        {
            var pagesLeft = wanted.Count / UrlsPerScanPage;
            string? settledThrough = null; // every id ≤ this was in the pages read
            var complete = false;
            await foreach (var page in _table.QueryAsync<UrlEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {sourceId}"), maxPerPage: rowsPerPage,
                select: LookupColumns, cancellationToken: cancellationToken).AsPages())
            {
                foreach (var row in page.Values)
                    if (wanted.Contains(row.RowKey)) found[row.RowKey] = row;
                if (page.Values.Count > 0) settledThrough = page.Values[^1].RowKey;
                if (page.ContinuationToken is null) { complete = true; break; }
                if (--pagesLeft <= 0) break;
            }
            unsettled = complete ? [] : wanted.Where(key => settledThrough is null || string.CompareOrdinal(key, settledThrough) > 0).ToList();
        }
        var read = new UrlEntity?[unsettled.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, unsettled.Count), new ParallelOptions { MaxDegreeOfParallelism = PointReadsInFlight, CancellationToken = cancellationToken },
            // Whole rows: GetEntityIfExists with a projection answers a missing row with an exception, not "none".
            async (i, ct) => { var row = await _table.GetEntityIfExistsAsync<UrlEntity>(sourceId, unsettled[i], cancellationToken: ct); read[i] = row.HasValue ? row.Value : null; });
        foreach (var row in read)
            if (row is not null) found[row.RowKey] = row;
        return found;
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
