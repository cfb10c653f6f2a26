using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace FeedIngest.Core.Storage;

public enum SaveChange { Created, Updated, Reprocessed, Unchanged, Duplicate }

public sealed record SaveResult(SaveChange Change, string ArticleId, int Version, string? JsonBlob, string? DuplicateOf = null);

/// <summary>What the pipeline knows besides the document when it stores an article.</summary>
public sealed record StoreContext(string? RawBlob, string? HttpETag, string? HttpLastModified, string? RunId, bool IsReprocess = false);

/// <summary>
/// Articles in Blob Storage (.txt + .json, documented layout) and their index row in table Articles.
/// Idempotent: the same text stored twice writes nothing the second time; a changed text keeps the
/// previous version under versions/ and bumps the row's Version; one article-events message per change.
/// </summary>
public sealed class ArticleRepository(BlobServiceClient blobs, TableServiceClient tables, ArticleEventPublisher events, ArticleIndex index, StorageInitializer storage)
{
    private readonly BlobContainerClient _container = blobs.GetBlobContainerClient(StorageNames.ArticlesContainer);
    private readonly TableClient _articles = tables.GetTableClient(StorageNames.ArticlesTable);
    private readonly TableClient _contentIndex = tables.GetTableClient(StorageNames.ContentIndexTable);
    // How long one delivery owns the sending of an event (far longer than a send takes), and how long another
    // delivery waits on it: longer than the claim, so a claim left by a delivery that died is taken over, not waited out by retries.
    private static readonly TimeSpan EventClaimDuration = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan EventClaimWait = TimeSpan.FromSeconds(15);

    /// <summary>Containers and tables exist (created once per process by <see cref="StorageInitializer"/>).</summary>
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        await storage.EnsureTablesAsync(cancellationToken);
        await storage.EnsureBlobsAsync(cancellationToken);
    }

    // Reads and failure records need the tables only: they must work while blob storage does not.
    private Task EnsureTableAsync(CancellationToken cancellationToken) => storage.EnsureTablesAsync(cancellationToken);

    public async Task<ArticleEntity?> GetRowAsync(string sourceId, string articleId, CancellationToken cancellationToken)
    {
        if (!TableKeys.IsValid(sourceId) || !TableKeys.IsValid(articleId)) return null;
        await EnsureTableAsync(cancellationToken);
        var row = await _articles.GetEntityIfExistsAsync<ArticleEntity>(sourceId, articleId, cancellationToken: cancellationToken);
        return row.HasValue ? row.Value : null;
    }

    public async Task<string?> GetDocumentJsonAsync(string sourceId, string articleId, CancellationToken cancellationToken)
    {
        var row = await GetRowAsync(sourceId, articleId, cancellationToken);
        if (row?.JsonBlob is null) return null;
        var content = await _container.GetBlobClient(row.JsonBlob).DownloadContentAsync(cancellationToken);
        return content.Value.Content.ToString();
    }

    public async IAsyncEnumerable<ArticleEntity> ListAsync(string? sourceId, DateTimeOffset? publishedFrom, DateTimeOffset? publishedTo,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await EnsureTableAsync(cancellationToken);
        var filters = new List<string>();
        if (sourceId is not null) filters.Add(TableClient.CreateQueryFilter($"PartitionKey eq {sourceId}"));
        if (publishedFrom is { } from) filters.Add(TableClient.CreateQueryFilter($"PublishedAtUtc ge {from.UtcDateTime}"));
        if (publishedTo is { } to) filters.Add(TableClient.CreateQueryFilter($"PublishedAtUtc lt {to.UtcDateTime}"));
        var filter = filters.Count == 0 ? null : string.Join(" and ", filters);
        await foreach (var row in _articles.QueryAsync<ArticleEntity>(filter, cancellationToken: cancellationToken))
            yield return row;
    }

    /// <summary>How many articles of the source are stored (status stored), read with a narrow projection.</summary>
    public async Task<int> CountStoredAsync(string sourceId, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        var count = 0;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {sourceId} and Status eq {ArticleStatus.Stored}");
        await foreach (var _ in _articles.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: cancellationToken))
            count++;
        return count;
    }

    public async Task<SaveResult> SaveAsync(ArticleDocument document, StoreContext context, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        // Two deliveries of one message may race; the row's ETag decides, and the loser re-reads and finds it done.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await SaveOnceAsync(document, context, cancellationToken);
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412 && attempt < 3)
            {
            }
        }
    }

    private async Task<SaveResult> SaveOnceAsync(ArticleDocument document, StoreContext context, CancellationToken cancellationToken)
    {
        var existing = await GetRowAsync(document.SourceId, document.ArticleId, cancellationToken);
        var fetchedAt = DateTimeOffset.Parse(document.FetchedAt, System.Globalization.CultureInfo.InvariantCulture);
        DateTimeOffset? publishedAt = document.PublishedAt is null ? null : DateTimeOffset.Parse(document.PublishedAt, System.Globalization.CultureInfo.InvariantCulture);

        if (existing is { Status: ArticleStatus.Stored } && existing.ContentHash == document.ContentHash)
        {
            if (existing.ExtractorVersion != document.ExtractorVersion)
            {
                // Same text from a newer extractor: record the version on blob and row, no event (nothing changed for readers).
                await WriteBlobsAsync(document, existing.TextBlob!, existing.JsonBlob!, cancellationToken);
                existing.ExtractorVersion = document.ExtractorVersion;
                existing.LastRunId = context.RunId;
                await _articles.UpdateEntityAsync(existing, existing.ETag, TableUpdateMode.Replace, cancellationToken);
            }
            await PublishPendingAsync(existing, cancellationToken);
            return new SaveResult(SaveChange.Unchanged, existing.RowKey, existing.Version, existing.JsonBlob);
        }

        var duplicateOf = await FindDuplicateAsync(document, cancellationToken);
        if (duplicateOf is not null)
        {
            var row = existing ?? NewRow(document);
            Fill(row, document, publishedAt, fetchedAt, context);
            row.Status = ArticleStatus.Duplicate;
            row.DuplicateOf = duplicateOf;
            row.Error = null;
            await WriteRowAsync(row, existing is not null, cancellationToken);
            return new SaveResult(SaveChange.Duplicate, row.RowKey, row.Version, null, duplicateOf);
        }

        var stem = ArticleBlobPaths.Stem(document.SourceId, document.ArticleId, publishedAt, fetchedAt);
        var textBlob = ArticleBlobPaths.Text(stem);
        var jsonBlob = ArticleBlobPaths.Json(stem);
        var previous = existing is { Status: ArticleStatus.Stored, TextBlob: not null, JsonBlob: not null } ? existing : null;
        if (previous is not null)
            await KeepPreviousVersionAsync(previous, textBlob, jsonBlob, cancellationToken);

        await WriteBlobsAsync(document, textBlob, jsonBlob, cancellationToken);

        var target = existing ?? NewRow(document);
        Fill(target, document, publishedAt, fetchedAt, context);
        target.Status = ArticleStatus.Stored;
        target.Error = null;
        target.DuplicateOf = null;
        target.TextBlob = textBlob;
        target.JsonBlob = jsonBlob;
        target.Version = (existing?.Version ?? 0) + 1;
        await WriteRowAsync(target, existing is not null, cancellationToken);
        if (existing is not { Status: ArticleStatus.Stored } || existing.PublishedAtUtc != target.PublishedAtUtc)
            await index.AddAsync(target, existing?.PublishedAtUtc, cancellationToken);
        await _contentIndex.UpsertEntityAsync(new TableEntity(document.SourceId, document.ContentHash) { ["ArticleId"] = document.ArticleId }, TableUpdateMode.Replace, cancellationToken);

        var change = previous is null ? SaveChange.Created : context.IsReprocess ? SaveChange.Reprocessed : SaveChange.Updated;
        await PublishPendingAsync(target, cancellationToken, change);
        return new SaveResult(change, target.RowKey, target.Version, jsonBlob);
    }

    /// <summary>Notes a re-crawl check on the row (a merge of one column; nothing else is rewritten).</summary>
    public async Task MarkCheckedAsync(string sourceId, string articleId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        await _articles.UpdateEntityAsync(new TableEntity(sourceId, articleId) { [nameof(ArticleEntity.LastCheckedAt)] = at }, ETag.All, TableUpdateMode.Merge, cancellationToken);
    }

    /// <summary>Records a URL that could not be stored on the article row (status failed, with the reason).</summary>
    public async Task RecordFailureAsync(string sourceId, string articleId, string url, string reason, string? runId, CancellationToken cancellationToken)
    {
        await EnsureTableAsync(cancellationToken);
        // With the row's ETag: a failure racing a delivery that stores the article never replaces the stored row.
        await OptimisticConcurrency.RetryAsync(async _ =>
        {
            var existing = await GetRowAsync(sourceId, articleId, cancellationToken);
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
        var row = await GetRowAsync(sourceId, articleId, cancellationToken);
        if (row is { Status: ArticleStatus.Failed })
            await _articles.DeleteEntityAsync(row, row.ETag, cancellationToken);
    }

    private async Task<string?> FindDuplicateAsync(ArticleDocument document, CancellationToken cancellationToken)
    {
        var hit = await _contentIndex.GetEntityIfExistsAsync<TableEntity>(document.SourceId, document.ContentHash, cancellationToken: cancellationToken);
        if (!hit.HasValue || hit.Value!.GetString("ArticleId") is not { } other || other == document.ArticleId) return null;
        var otherRow = await GetRowAsync(document.SourceId, other, cancellationToken);
        return otherRow is { Status: ArticleStatus.Stored } && otherRow.ContentHash == document.ContentHash ? other : null;
    }

    private async Task KeepPreviousVersionAsync(ArticleEntity previous, string newTextBlob, string newJsonBlob, CancellationToken cancellationToken)
    {
        foreach (var (blobName, extension, replacement) in new[] { (previous.TextBlob!, ".txt", newTextBlob), (previous.JsonBlob!, ".json", newJsonBlob) })
        {
            var source = _container.GetBlobClient(blobName);
            var target = _container.GetBlobClient(ArticleBlobPaths.Version(previous.PartitionKey, previous.RowKey, previous.Version, extension));
            if (!await source.ExistsAsync(cancellationToken)) continue;
            var content = await source.DownloadContentAsync(cancellationToken);
            await target.UploadAsync(content.Value.Content, new BlobUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = content.Value.Details.ContentType },
                Metadata = content.Value.Details.Metadata,
            }, cancellationToken);
            // The publish date may have moved the article to another day's folder.
            if (blobName != replacement) await source.DeleteIfExistsAsync(cancellationToken: cancellationToken);
        }
    }

    private async Task WriteBlobsAsync(ArticleDocument document, string textBlob, string jsonBlob, CancellationToken cancellationToken)
    {
        var metadata = new Dictionary<string, string>
        {
            ["schemaVersion"] = document.SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["extractorVersion"] = document.ExtractorVersion,
            ["contentHash"] = document.ContentHash,
        };
        await _container.GetBlobClient(textBlob).UploadAsync(new BinaryData(Encoding.UTF8.GetBytes(document.Text)), new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = "text/plain; charset=utf-8" },
            Metadata = metadata,
        }, cancellationToken);
        await _container.GetBlobClient(jsonBlob).UploadAsync(new BinaryData(JsonSerializer.SerializeToUtf8Bytes(document, ContractJson.Options)), new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/json; charset=utf-8" },
            Metadata = metadata,
        }, cancellationToken);
    }

    /// <summary>Adds or (ETag-guarded) replaces the row and keeps the new ETag on it, so the caller can go on without a re-read.</summary>
    private async Task WriteRowAsync(ArticleEntity row, bool exists, CancellationToken cancellationToken)
    {
        var response = exists
            ? await _articles.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken)
            : await _articles.AddEntityAsync(row, cancellationToken);
        if (response.Headers.ETag is { } etag) row.ETag = etag;
    }

    /// <summary>
    /// Sends the article-events message for the row's version unless it went out already. A delivery first
    /// claims the send on the row (ETag) so racing deliveries send one message; a claim left by a crashed
    /// delivery expires and the next delivery sends it (at least once, exactly once without crashes).
    /// </summary>
    private async Task PublishPendingAsync(ArticleEntity row, CancellationToken cancellationToken, SaveChange? change = null)
    {
        var waitUntil = DateTimeOffset.UtcNow + EventClaimWait;
        while (true)
        {
            if (row.Status != ArticleStatus.Stored || row.EventVersion >= row.Version || row.JsonBlob is null) return;
            var now = DateTimeOffset.UtcNow;
            if (row.EventClaimedUntil > now)
            {
                // Another delivery is sending it: wait until it has, or until its claim expires and this one sends it.
                // Returning as if it were sent would lose the event when the other delivery died mid-send.
                if (now > waitUntil)
                    throw new InvalidOperationException($"The article-events message for {row.PartitionKey}/{row.RowKey} v{row.Version} is claimed by another delivery until {row.EventClaimedUntil:O}; retry later.");
                await Task.Delay(200, cancellationToken);
                row = await GetRowAsync(row.PartitionKey, row.RowKey, cancellationToken) ?? row;
                continue;
            }
            row.EventClaimedUntil = now + EventClaimDuration;
            try
            {
                var claimed = await _articles.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken);
                row.ETag = claimed.Headers.ETag ?? row.ETag;
            }
            catch (RequestFailedException e) when (e.Status == 412)
            {
                row = await GetRowAsync(row.PartitionKey, row.RowKey, cancellationToken) ?? row; // another delivery claimed it: see how it ends
                continue;
            }
            var kind = change switch
            {
                SaveChange.Reprocessed => ArticleChange.Reprocessed,
                SaveChange.Updated => ArticleChange.Updated,
                SaveChange.Created => ArticleChange.Created,
                _ => row.Version <= 1 ? ArticleChange.Created : ArticleChange.Updated,
            };
            try
            {
                await events.PublishAsync(new ArticleEvent(row.RowKey, row.PartitionKey, row.Url ?? "", row.JsonBlob, row.Version, row.ContentHash ?? "", kind), cancellationToken);
            }
            catch (Exception)
            {
                // Give the claim back so the redelivery sends at once; if the table is unreachable too, the claim expires.
                row.EventClaimedUntil = null;
                try { await _articles.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, CancellationToken.None); }
                catch (Exception) { }
                throw;
            }
            row.EventVersion = row.Version;
            row.EventClaimedUntil = null;
            try
            {
                await _articles.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken);
            }
            catch (RequestFailedException e) when (e.Status == 412)
            {
                // The row moved on (a newer version); its own delivery sends its own event.
            }
            return;
        }
    }

    private static ArticleEntity NewRow(ArticleDocument document) => new() { PartitionKey = document.SourceId, RowKey = document.ArticleId };

    private static void Fill(ArticleEntity row, ArticleDocument document, DateTimeOffset? publishedAt, DateTimeOffset fetchedAt, StoreContext context)
    {
        // Every text property capped (docs/CONTRACT.md "Limits"): the blobs keep the full values.
        row.Url = StorageLimits.Cap(document.Url, StorageLimits.MaxUrlChars);
        row.CanonicalUrl = StorageLimits.Cap(document.CanonicalUrl, StorageLimits.MaxUrlChars);
        row.Title = StorageLimits.Cap(document.Title, 2_000);
        row.PublishedAt = document.PublishedAt;
        row.PublishedAtUtc = publishedAt?.ToUniversalTime();
        row.Author = StorageLimits.Cap(document.Author, 1_000);
        row.Category = StorageLimits.Cap(document.Category, 1_000);
        row.District = StorageLimits.Cap(document.District, 1_000);
        row.ContentHash = document.ContentHash;
        row.RawBlob = context.RawBlob ?? row.RawBlob;
        row.ExtractorVersion = document.ExtractorVersion;
        row.FetchedAt = fetchedAt.ToUniversalTime();
        row.HttpETag = StorageLimits.Cap(context.HttpETag, 1_000) ?? row.HttpETag;
        row.HttpLastModified = StorageLimits.Cap(context.HttpLastModified, 200) ?? row.HttpLastModified;
        row.LastRunId = context.RunId;
    }

    private static string Truncate(string value) => value.Length <= 4000 ? value : value[..4000];
}
