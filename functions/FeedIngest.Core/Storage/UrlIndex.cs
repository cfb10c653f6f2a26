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

/// <summary>
/// Every discovered URL ends here as stored, failed (with a reason) or skipped (with a reason).
/// <para>
/// Beside each URL row whose work is open (pending, or failed and still to be retried) the source's partition holds a
/// copy of it under the key <c>~work|{id}</c>, written in the same transaction as the row. Discovery reads that key
/// range to find what earlier runs left, so a run costs what is open, not what the source has ever stored
/// (docs/ARCHITECTURE.md, read paths). Keys starting with <c>~</c> sort after every URL id (lower-case hex).
/// </para>
/// </summary>
public sealed class UrlIndex(TableServiceClient tables, StorageInitializer storage) : IKnownArticles
{
    private readonly TableClient _table = tables.GetTableClient(StorageNames.UrlsTable);

    public static string Key(Uri canonicalUrl) => UrlCanonicalizer.ArticleId(canonicalUrl);

    /// <summary>A URL tried this many times is left as it is (failed, with its reason) instead of being retried every run.</summary>
    public const int MaxAttempts = 5;
    private const string WorkKeyPrefix = "~work|";
    /// <summary>Present once a source's work markers are complete: written after the markers of rows from before them were added.</summary>
    private const string WorkIndexReadyKey = "~work";
    private static readonly string UrlRowsOnly = TableClient.CreateQueryFilter($"RowKey lt {"~"}");

    /// <summary>False for the partition's work markers and their ready row: true for the rows of URLs.</summary>
    public static bool IsUrlRow(string rowKey) => !rowKey.StartsWith('~');

    /// <summary>Work still to do: pending or failed, tried fewer than <see cref="MaxAttempts"/> times (a permanent failure also waits its retry days).</summary>
    public static bool IsOpenWork(UrlEntity row) => row.Status is UrlStatus.Pending or UrlStatus.Failed && row.Attempts < MaxAttempts;

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
            await foreach (var page in _table.QueryAsync<UrlEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {sourceId}") + " and " + UrlRowsOnly, maxPerPage: rowsPerPage,
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
            await WriteAsync(NewPending(sourceId, canonicalUrl, runId, DateTimeOffset.UtcNow), exists: false, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
        }
    }

    /// <summary>Notes many newly discovered URLs of one source as pending, 50 (a row and its work marker each) per request; a URL already known keeps its row.</summary>
    public async Task MarkPendingManyAsync(string sourceId, IReadOnlyCollection<Uri> canonicalUrls, string? runId, CancellationToken cancellationToken)
    {
        await EnsureAsync(cancellationToken);
        var now = DateTimeOffset.UtcNow;
        foreach (var chunk in canonicalUrls.DistinctBy(Key).Chunk(50))
        {
            var rows = chunk.Select(u => NewPending(sourceId, u, runId, now)).ToList();
            try
            {
                await _table.SubmitTransactionAsync(rows.SelectMany(r => new[]
                {
                    new TableTransactionAction(TableTransactionActionType.Add, r),
                    new TableTransactionAction(TableTransactionActionType.UpsertReplace, WorkMarker(r)),
                }), cancellationToken);
            }
            catch (TableTransactionFailedException)
            {
                foreach (var url in chunk) await MarkPendingAsync(sourceId, url, runId, cancellationToken); // one exists already (a racing discovery)
            }
        }
    }

    private static UrlEntity NewPending(string sourceId, Uri canonicalUrl, string? runId, DateTimeOffset now) => new()
    {
        PartitionKey = sourceId, RowKey = Key(canonicalUrl), Url = StorageLimits.Cap(canonicalUrl.AbsoluteUri, StorageLimits.MaxUrlChars)!,
        Status = UrlStatus.Pending, LastAttemptAt = now, LastRunId = runId,
    };

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
            var hadMarker = existing is not null && IsOpenWork(existing); // before the row below (existing itself) changes
            var row = existing ?? new UrlEntity { PartitionKey = sourceId, RowKey = Key(canonicalUrl), Url = StorageLimits.Cap(canonicalUrl.AbsoluteUri, StorageLimits.MaxUrlChars)! };
            row.Status = status;
            row.Reason = StorageLimits.Cap(reason, 4_000);
            row.Cause = cause == Fetching.FailureCause.None ? null : Fetching.FailureCauses.Name(cause);
            row.ArticleId = articleId ?? row.ArticleId;
            row.Attempts++;
            row.LastAttemptAt = DateTimeOffset.UtcNow;
            row.LastRunId = runId;
            row.Permanent = status == UrlStatus.Failed && permanent;
            await WriteAsync(row, exists: existing is not null, cancellationToken, hadMarker);
        }, cancellationToken);
    }

    /// <summary>
    /// Adds or (ETag-guarded) replaces a URL row and, in the same transaction, keeps its work marker in step: written
    /// while the work is open, deleted when it closes (when <paramref name="hadMarker"/>: the row was open before).
    /// A row from before the markers has none to delete: the row alone.
    /// </summary>
    private async Task WriteAsync(UrlEntity row, bool exists, CancellationToken cancellationToken, bool hadMarker = false)
    {
        if (!IsOpenWork(row) && !hadMarker)
        {
            await WriteRowAsync(row, exists, cancellationToken); // closed before and after: no marker to touch
            return;
        }
        var rowAction = exists
            ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, row.ETag)
            : new TableTransactionAction(TableTransactionActionType.Add, row);
        var markerAction = IsOpenWork(row)
            ? new TableTransactionAction(TableTransactionActionType.UpsertReplace, WorkMarker(row))
            : new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(row.PartitionKey, WorkKeyPrefix + row.RowKey), ETag.All);
        try
        {
            await _table.SubmitTransactionAsync([rowAction, markerAction], cancellationToken);
        }
        catch (TableTransactionFailedException e) when (e.Status == 404 && markerAction.ActionType == TableTransactionActionType.Delete && e.FailedTransactionActionIndex is null or 1)
        {
            await WriteRowAsync(row, exists, cancellationToken);
        }
    }

    private async Task WriteRowAsync(UrlEntity row, bool exists, CancellationToken cancellationToken)
    {
        if (exists) await _table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken);
        else await _table.AddEntityAsync(row, cancellationToken);
    }

    internal static UrlEntity WorkMarker(UrlEntity row) => new()
    {
        PartitionKey = row.PartitionKey, RowKey = WorkKeyPrefix + row.RowKey, Url = row.Url, Status = row.Status, Reason = row.Reason, Cause = row.Cause,
        ArticleId = row.ArticleId, Attempts = row.Attempts, LastAttemptAt = row.LastAttemptAt, LastRunId = row.LastRunId, Permanent = row.Permanent,
    };

    /// <summary>
    /// The source's open work (<see cref="IsOpenWork"/>), read from its work markers: ⌈open / 1,000⌉ requests however
    /// many URLs the source has stored. The first call on a partition from before the markers adds them (one scan, once).
    /// Rows come back as the URL rows they copy (RowKey the URL's id).
    /// </summary>
    public async IAsyncEnumerable<UrlEntity> OpenWorkAsync(string sourceId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await EnsureAsync(cancellationToken);
        var ready = await _table.GetEntityIfExistsAsync<TableEntity>(sourceId, WorkIndexReadyKey, cancellationToken: cancellationToken); // whole row: a projection answers a missing row with an exception
        if (!ready.HasValue) await AddMissingWorkMarkersAsync(sourceId, cancellationToken);
        var range = TableClient.CreateQueryFilter($"PartitionKey eq {sourceId} and RowKey gt {WorkKeyPrefix} and RowKey lt {WorkKeyPrefix[..^1] + "}"}");
        await foreach (var marker in _table.QueryAsync<UrlEntity>(range, cancellationToken: cancellationToken))
        {
            marker.RowKey = marker.RowKey[WorkKeyPrefix.Length..];
            yield return marker;
        }
    }

    /// <summary>
    /// Markers for the open rows of a partition written before markers existed (a scan of the partition with the status
    /// filter, as every run did before), 100 per transaction; then the ready row, so this happens once per source.
    /// A row closed while this runs may keep a stale marker: its next delivery finds the row done and removes it.
    /// </summary>
    private async Task AddMissingWorkMarkersAsync(string sourceId, CancellationToken cancellationToken)
    {
        var open = TableClient.CreateQueryFilter($"PartitionKey eq {sourceId} and (Status eq {UrlStatus.Pending} or Status eq {UrlStatus.Failed})") + " and " + UrlRowsOnly;
        var markers = new List<TableTransactionAction>();
        await foreach (var row in _table.QueryAsync<UrlEntity>(open, cancellationToken: cancellationToken))
        {
            if (!IsOpenWork(row)) continue;
            markers.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, WorkMarker(row)));
            if (markers.Count == 100) { await _table.SubmitTransactionAsync(markers, cancellationToken); markers.Clear(); }
        }
        if (markers.Count > 0) await _table.SubmitTransactionAsync(markers, cancellationToken);
        await _table.UpsertEntityAsync(new TableEntity(sourceId, WorkIndexReadyKey) { ["Note"] = "work markers (~work|{id}) complete for this source" }, TableUpdateMode.Replace, cancellationToken);
    }

    /// <summary>
    /// Removes the work marker of a URL whose row says its work is done (a marker left by a row closed while
    /// <see cref="AddMissingWorkMarkersAsync"/> ran, which queued the URL again). Costs one request, on that path only.
    /// </summary>
    public async Task RemoveStaleWorkMarkerAsync(string sourceId, string urlKey, CancellationToken cancellationToken)
    {
        try
        {
            await _table.DeleteEntityAsync(sourceId, WorkKeyPrefix + urlKey, ETag.All, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
    }

    /// <summary>URL rows (never the work markers), optionally of one source and one status: a scan, for tools and tests; discovery reads <see cref="OpenWorkAsync"/>.</summary>
    public async IAsyncEnumerable<UrlEntity> ListAsync(string? sourceId, string? status, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await EnsureAsync(cancellationToken);
        var filters = new List<string> { UrlRowsOnly };
        if (sourceId is not null) filters.Add(TableClient.CreateQueryFilter($"PartitionKey eq {sourceId}"));
        if (status is not null) filters.Add(TableClient.CreateQueryFilter($"Status eq {status}"));
        await foreach (var row in _table.QueryAsync<UrlEntity>(string.Join(" and ", filters), cancellationToken: cancellationToken))
            yield return row;
    }

    private Task EnsureAsync(CancellationToken cancellationToken) => storage.EnsureTablesAsync(cancellationToken);
}
