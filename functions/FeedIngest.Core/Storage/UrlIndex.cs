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
}

/// <summary>Every discovered URL ends here as stored, failed (with a reason) or skipped (with a reason).</summary>
public sealed class UrlIndex(TableServiceClient tables) : IKnownArticles
{
    private readonly TableClient _table = tables.GetTableClient(StorageNames.UrlsTable);
    private volatile bool _ready;

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
                PartitionKey = sourceId, RowKey = Key(canonicalUrl), Url = canonicalUrl.AbsoluteUri,
                Status = UrlStatus.Pending, LastAttemptAt = DateTimeOffset.UtcNow, LastRunId = runId,
            }, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
        }
    }

    public async Task RecordAsync(string sourceId, Uri canonicalUrl, string status, string? reason, string? articleId, string? runId, CancellationToken cancellationToken,
        Fetching.FailureCause cause = Fetching.FailureCause.None)
    {
        await EnsureAsync(cancellationToken);
        var existing = await GetAsync(sourceId, canonicalUrl, cancellationToken);
        var row = existing ?? new UrlEntity { PartitionKey = sourceId, RowKey = Key(canonicalUrl), Url = canonicalUrl.AbsoluteUri };
        // A stored URL seen again with nothing new is not rewritten (a re-run rewrites nothing).
        if (existing is not null && existing.Status == status && existing.ArticleId == articleId && existing.Reason == reason && status == UrlStatus.Stored)
            return;
        row.Status = status;
        row.Reason = reason;
        row.Cause = cause == Fetching.FailureCause.None ? null : Fetching.FailureCauses.Name(cause);
        row.ArticleId = articleId ?? row.ArticleId;
        row.Attempts++;
        row.LastAttemptAt = DateTimeOffset.UtcNow;
        row.LastRunId = runId;
        await _table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken);
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

    private async Task EnsureAsync(CancellationToken cancellationToken)
    {
        if (_ready) return;
        await _table.CreateIfNotExistsAsync(cancellationToken);
        _ready = true;
    }
}
