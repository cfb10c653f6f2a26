using System.Text.Json;
using Azure;

namespace FeedIngest.Core.Storage;

public enum SaveChange { Created, Updated, Reprocessed, Unchanged, Duplicate }

public sealed record SaveResult(SaveChange Change, string ArticleId, int Version, string? JsonBlob, string? DuplicateOf = null);

/// <summary>What the pipeline knows besides the document when it stores an article.</summary>
public sealed record StoreContext(string? RawBlob, string? HttpETag, string? HttpLastModified, string? RunId, bool IsReprocess = false)
{
    /// <summary>
    /// The caller looked the text up in the source's <see cref="Storage.ContentIndex"/> just before (true), with this
    /// answer (<see cref="DuplicateOf"/>): the first attempt does not read it again.
    /// </summary>
    public bool DuplicateChecked { get; init; }
    public string? DuplicateOf { get; init; }
    /// <summary>The article's row as the caller read it just before (its ETag guards the write): the first attempt does not read it again.</summary>
    public ArticleEntity? CurrentRow { get; init; }
}

/// <summary>
/// Stores an article: its blobs (<see cref="ArticleBlobStore"/>), its row (<see cref="ArticleRows"/>), the duplicate and
/// date indexes (<see cref="ContentIndex"/>, <see cref="ArticleIndex"/>) and its event (<see cref="ArticleEventOutbox"/>),
/// in an order that a retry can finish. Idempotent: the same text and attachments stored twice write nothing the
/// second time; a change keeps the previous version under versions/ and bumps the row's Version; one article-events
/// message per change.
/// </summary>
public sealed class ArticleRepository(ArticleRows rows, ArticleBlobStore blobs, ContentIndex contentIndex, ArticleIndex index, ArticleEventOutbox outbox, StorageInitializer storage)
{
    /// <summary>Containers and tables exist (created once per process by <see cref="StorageInitializer"/>).</summary>
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        await storage.EnsureTablesAsync(cancellationToken);
        await storage.EnsureBlobsAsync(cancellationToken);
    }

    public Task<ArticleEntity?> GetRowAsync(string sourceId, string articleId, CancellationToken cancellationToken) => rows.GetAsync(sourceId, articleId, cancellationToken);

    public async Task<string?> GetDocumentJsonAsync(string sourceId, string articleId, CancellationToken cancellationToken)
    {
        var row = await rows.GetAsync(sourceId, articleId, cancellationToken);
        return row?.JsonBlob is null ? null : await blobs.ReadAsync(row.JsonBlob, cancellationToken);
    }

    /// <summary>The stored document of a row (null when it has none or it is not schema 2 readable).</summary>
    public async Task<ArticleDocument?> GetDocumentAsync(ArticleEntity row, CancellationToken cancellationToken) =>
        row.JsonBlob is null ? null : await blobs.TryReadDocumentAsync(row.JsonBlob, cancellationToken);

    public IAsyncEnumerable<ArticleEntity> ListAsync(string? sourceId, DateTimeOffset? publishedFrom, DateTimeOffset? publishedTo, CancellationToken cancellationToken) =>
        rows.ListAsync(sourceId, publishedFrom, publishedTo, cancellationToken);

    public Task<int> CountStoredAsync(string sourceId, CancellationToken cancellationToken) => rows.CountStoredAsync(sourceId, cancellationToken);

    /// <summary>
    /// Indexes the source's articles stored before <see cref="ArticleIndex"/> existed (an upgrade from a version without
    /// it), so that lookups by id, listings by day and the re-crawl window see them: at most <paramref name="budget"/>
    /// articles per call, 8 in flight, resuming after the last one noted; the progress row is written after every 100.
    /// Once the source is done, a call costs one point read. Articles stored since are indexed as they are stored, and
    /// indexing one again writes the same rows. Returns how many articles this call indexed.
    /// </summary>
    public async Task<int> IndexArticlesStoredBeforeTheIndexAsync(string sourceId, int budget, CancellationToken cancellationToken)
    {
        var (complete, through) = await index.GetBackfillAsync(sourceId, cancellationToken);
        if (complete) return 0;
        var indexed = 0;
        var chunk = new List<ArticleEntity>(BackfillChunk);
        await foreach (var row in rows.ListStoredAfterAsync(sourceId, through, cancellationToken))
        {
            if (indexed + chunk.Count == budget)
            {
                await IndexChunkAsync();
                return indexed;
            }
            chunk.Add(row);
            if (chunk.Count == BackfillChunk) await IndexChunkAsync();
        }
        await IndexChunkAsync();
        await index.SaveBackfillAsync(sourceId, through, complete: true, cancellationToken);
        return indexed;

        async Task IndexChunkAsync()
        {
            if (chunk.Count == 0) return;
            await Parallel.ForEachAsync(chunk, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
                async (row, ct) => await index.AddAsync(row, previousPublishedAtUtc: null, ct));
            indexed += chunk.Count;
            through = chunk[^1].RowKey;
            chunk.Clear();
            await index.SaveBackfillAsync(sourceId, through, complete: false, cancellationToken);
        }
    }

    private const int BackfillChunk = 100;

    /// <summary>A re-check that found the article unchanged: on its row, and on its day row (the re-crawl window's clock).</summary>
    public async Task MarkCheckedAsync(string sourceId, string articleId, DateTimeOffset? publishedAtUtc, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await rows.MarkCheckedAsync(sourceId, articleId, at, cancellationToken);
        await index.MarkCheckedAsync(sourceId, articleId, publishedAtUtc, at, cancellationToken);
    }

    /// <summary>The source's stored articles published on Vietnam days <paramref name="from"/>..<paramref name="to"/>, from the day index.</summary>
    public IAsyncEnumerable<ArticleDayEntity> ListPublishedAsync(string sourceId, DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        index.ListPublishedAsync(sourceId, from, to, cancellationToken);

    public Task RecordFailureAsync(string sourceId, string articleId, string url, string reason, string? runId, CancellationToken cancellationToken) =>
        rows.RecordFailureAsync(sourceId, articleId, url, reason, runId, cancellationToken);

    public Task RemoveFailedPlaceholderAsync(string sourceId, string articleId, CancellationToken cancellationToken) => rows.RemoveFailedPlaceholderAsync(sourceId, articleId, cancellationToken);

    /// <summary>Another stored article of the source with exactly this text (before clustering: a duplicate joins no cluster).</summary>
    public Task<string?> FindDuplicateAsync(string sourceId, string contentHash, string articleId, CancellationToken cancellationToken) =>
        contentIndex.FindDuplicateAsync(sourceId, contentHash, articleId, cancellationToken);

    public async Task<SaveResult> SaveAsync(ArticleDocument document, StoreContext context, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        // Two deliveries of one message may race; the row's ETag decides, and the loser re-reads and finds it done.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await SaveOnceAsync(document, context, firstAttempt: attempt == 0, cancellationToken);
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412 && attempt < 3)
            {
            }
        }
    }

    /// <summary>SHA-256 of the attachments' JSON: part of what makes a new version.</summary>
    public static string AttachmentsHash(IReadOnlyList<ArticleAttachmentDocument> attachments) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(attachments, ContractJson.Compact)));

    private static readonly string NoAttachmentsHash = AttachmentsHash([]);

    private async Task<SaveResult> SaveOnceAsync(ArticleDocument document, StoreContext context, bool firstAttempt, CancellationToken cancellationToken)
    {
        // What the caller read moments ago serves the first attempt; a lost race (409/412) reads again.
        var existing = firstAttempt && context.CurrentRow is { } current && current.PartitionKey == document.SourceId && current.RowKey == document.ArticleId
            ? current
            : await rows.GetAsync(document.SourceId, document.ArticleId, cancellationToken);
        var fetchedAt = document.FetchedAtValue();
        var publishedAt = document.PublishedAtValue();
        var attachmentsHash = AttachmentsHash(document.Attachments);
        // What the index knows, read before Fill: the row written below is existing itself when there is one.
        var indexedBefore = existing is { Status: ArticleStatus.Stored };
        var publishedBefore = existing?.PublishedAtUtc;
        var fetchedBefore = existing?.FetchedAt;

        // Rows stored before schema 2 have no attachments hash: no attachments is then "the same" (no version storm on re-crawl).
        if (existing is { Status: ArticleStatus.Stored } && existing.ContentHash == document.ContentHash && (existing.AttachmentsHash ?? NoAttachmentsHash) == attachmentsHash)
        {
            if (existing.ExtractorVersion != document.ExtractorVersion || existing.SchemaVersion != document.SchemaVersion)
            {
                // Same text from a newer extractor, or a document of an older schema: rewritten in place with the
                // current version on blob and row, no event (the text and attachments did not change for readers).
                await blobs.WriteAsync(document with { ClusterId = existing.ClusterId ?? document.ClusterId }, existing.TextBlob!, existing.JsonBlob!, cancellationToken);
                existing.ExtractorVersion = document.ExtractorVersion;
                existing.SchemaVersion = document.SchemaVersion;
                existing.ClusterId ??= document.ClusterId;
                existing.LastRunId = context.RunId;
                await rows.WriteAsync(existing, exists: true, cancellationToken);
            }
            await outbox.PublishPendingAsync(existing, cancellationToken);
            return new SaveResult(SaveChange.Unchanged, existing.RowKey, existing.Version, existing.JsonBlob);
        }

        var duplicateOf = firstAttempt && context.DuplicateChecked
            ? context.DuplicateOf
            : await contentIndex.FindDuplicateAsync(document.SourceId, document.ContentHash, document.ArticleId, cancellationToken);
        if (duplicateOf is not null)
        {
            var row = existing ?? NewRow(document);
            Fill(row, document, publishedAt, fetchedAt, context);
            row.Status = ArticleStatus.Duplicate;
            row.DuplicateOf = duplicateOf;
            row.Error = null;
            await rows.WriteAsync(row, existing is not null, cancellationToken);
            if (indexedBefore) await index.MarkStatusAsync(row.PartitionKey, row.RowKey, publishedBefore, ArticleStatus.Duplicate, cancellationToken);
            return new SaveResult(SaveChange.Duplicate, row.RowKey, row.Version, null, duplicateOf);
        }

        var stem = ArticleBlobPaths.Stem(document.SourceId, document.ArticleId, publishedAt, fetchedAt);
        var textBlob = ArticleBlobPaths.Text(stem);
        var jsonBlob = ArticleBlobPaths.Json(stem);
        var previous = existing is { Status: ArticleStatus.Stored, TextBlob: not null, JsonBlob: not null } ? existing : null;
        if (previous is not null)
            await blobs.KeepPreviousVersionAsync(previous, textBlob, jsonBlob, cancellationToken);

        await blobs.WriteAsync(document, textBlob, jsonBlob, cancellationToken);

        var target = existing ?? NewRow(document);
        Fill(target, document, publishedAt, fetchedAt, context);
        target.Status = ArticleStatus.Stored;
        target.Error = null;
        target.DuplicateOf = null;
        target.TextBlob = textBlob;
        target.JsonBlob = jsonBlob;
        target.AttachmentsHash = attachmentsHash;
        target.Version = (existing?.Version ?? 0) + 1;
        ArticleEventOutbox.ClaimWithWrite(target); // the row's write is the event's claim
        await rows.WriteAsync(target, existing is not null, cancellationToken);
        if (!indexedBefore || publishedBefore != target.PublishedAtUtc)
            await index.AddAsync(target, publishedBefore, cancellationToken); // first stored (a failed row before counts as new), or the day moved
        else if (fetchedBefore != target.FetchedAt)
            await index.MarkCheckedAsync(target.PartitionKey, target.RowKey, target.PublishedAtUtc, target.FetchedAt!.Value, cancellationToken);
        await contentIndex.RecordAsync(document.SourceId, document.ContentHash, document.ArticleId, cancellationToken);

        var change = previous is null ? SaveChange.Created : context.IsReprocess ? SaveChange.Reprocessed : SaveChange.Updated;
        await outbox.PublishPendingAsync(target, cancellationToken, change, claimedByWrite: true);
        return new SaveResult(change, target.RowKey, target.Version, jsonBlob);
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
        row.ClusterId = document.ClusterId;
        row.SchemaVersion = document.SchemaVersion;
        row.AttachmentCount = document.Attachments.Count;
    }
}
