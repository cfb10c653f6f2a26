using System.Security.Cryptography;
using System.Text;
using FeedIngest.Core.Discovery;
using FeedIngest.Core.Extraction;
using FeedIngest.Core.Fetching;
using FeedIngest.Core.Sources;
using FeedIngest.Core.Storage;
using Microsoft.Extensions.Logging;

namespace FeedIngest.Core.Pipeline;

/// <summary>
/// One article, start to end: fetch (conditional where it can) → archive raw → extract → attachments (fetched, read,
/// stored once per hash) → syndication cluster (band index) → store text, document and row → event. Used by the CLI harvest and the Functions ProcessArticle stage alike.
/// Outcomes of the page (HTTP errors, robots, empty article) come back as <see cref="ArticleOutcome"/>;
/// infrastructure failures (storage unreachable) throw, so a queue can retry them.
/// </summary>
public sealed class ArticleProcessor(
    IPageFetcher fetcher,
    IArticleExtractor extractor,
    RawArchive rawArchive,
    ArticleRepository articles,
    UrlIndex urls,
    ExtractionContextFactory contexts,
    Attachments.AttachmentCollector attachments,
    Clustering.SyndicationIndex syndication,
    Health.FeedIngestMetrics metrics,
    ILogger<ArticleProcessor> logger)
{
    public async Task<ArticleOutcome> ProcessAsync(ArticleMessage message, SourceDefinition source, CancellationToken cancellationToken)
    {
        var url = UrlCanonicalizer.Canonicalize(new Uri(message.Url, UriKind.Absolute));
        var urlKey = UrlIndex.Key(url);
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["runId"] = message.RunId, ["sourceId"] = source.Id, ["url"] = url.AbsoluteUri });

        var known = await urls.GetAsync(source.Id, url, cancellationToken);
        if (message.Mode == FetchMode.Harvest && known is { Status: UrlStatus.Stored or UrlStatus.Duplicate })
        {
            // Queued although done: a redelivery, or a work marker that outlived its row's closing (UrlIndex) — removed here.
            await urls.RemoveStaleWorkMarkerAsync(source.Id, urlKey, cancellationToken);
            return new ArticleOutcome(ArticleResult.Unchanged, url.AbsoluteUri, known.ArticleId);
        }

        var row = known?.ArticleId is { } knownId ? await articles.GetRowAsync(source.Id, knownId, cancellationToken) : null;
        var conditional = message.Mode == FetchMode.Recrawl && row is { Status: ArticleStatus.Stored };
        var fetchTimer = System.Diagnostics.Stopwatch.StartNew();
        var fetch = await fetcher.FetchAsync(new FetchRequest(url)
        {
            AllowedHosts = source.AllHosts().ToArray(),
            Politeness = source.Politeness,
            IfNoneMatch = conditional ? row!.HttpETag : null,
            IfModifiedSince = conditional && DateTimeOffset.TryParse(row!.HttpLastModified, out var since) ? since : null,
        }, cancellationToken);
        metrics.FetchTook(source.Id, fetchTimer.Elapsed);

        switch (fetch.Outcome)
        {
            case FetchOutcome.NotModified:
                if (row is not null) await articles.MarkCheckedAsync(source.Id, row.RowKey, row.PublishedAtUtc, DateTimeOffset.UtcNow, cancellationToken);
                return new ArticleOutcome(ArticleResult.Unchanged, url.AbsoluteUri, row?.RowKey);
            case FetchOutcome.Skipped:
                await urls.RecordAsync(source.Id, url, UrlStatus.Skipped, fetch.FailureReason, null, message.RunId, cancellationToken, known, cause: fetch.Cause);
                logger.LogInformation("Article {url} skipped [{cause}]: {reason}", url.AbsoluteUri, FailureCauses.Name(fetch.Cause), fetch.FailureReason);
                return new ArticleOutcome(ArticleResult.Skipped, url.AbsoluteUri, null, fetch.FailureReason) { Cause = fetch.Cause };
            case FetchOutcome.Failed:
                return await RecordFailureAsync(message, source, url, row?.RowKey ?? urlKey, fetch.FailureReason ?? "fetch failed", cancellationToken,
                    fetch.Cause, known, PermanentFailures.IsPermanent(fetch));
        }

        var fetchedAt = DateTimeOffset.UtcNow;
        var pageUrl = fetch.FinalUrl ?? url;
        ExtractedArticle extracted;
        string html;
        try
        {
            html = fetch.Text ?? CharsetDecoder.Decode(fetch.Body, fetch.ContentType).Text;
            var context = await contexts.ForSourceAsync(source, cancellationToken);
            var extractTimer = System.Diagnostics.Stopwatch.StartNew();
            extracted = extractor.Extract(html, pageUrl, context);
            metrics.ExtractionTook(source.Id, extractTimer.Elapsed);
            await contexts.PageExtractedAsync(source.Id, cancellationToken);
        }
        catch (ExtractionException e)
        {
            // Keep the bytes so a better extractor can retry from the archive without the network.
            await rawArchive.ArchiveAsync(source.Id, urlKey, fetch, fetchedAt, cancellationToken);
            return await RecordFailureAsync(message, source, url, urlKey, "extraction failed: " + e.Message, cancellationToken, FailureCause.Other);
        }

        var canonical = ChooseCanonical(extracted.CanonicalUrl, pageUrl, url, source);
        var articleId = UrlCanonicalizer.ArticleId(canonical);
        var rawBlob = await rawArchive.ArchiveAsync(source.Id, articleId, fetch, fetchedAt, cancellationToken);
        var quality = Health.PageQuality.From(extracted);
        if (extracted.Blocks.Count == 0)
            return await RecordFailureAsync(message, source, url, articleId, "no article text found on the page", cancellationToken, FailureCause.EmptyContent) with { Quality = quality };

        // An exact duplicate within the source is not stored (SaveAsync records it): its attachments are not fetched, it joins no cluster.
        var contentHash = ContentHash(extracted.Text);
        var duplicateOf = await articles.FindDuplicateAsync(source.Id, contentHash, articleId, cancellationToken);
        var duplicate = duplicateOf is not null;
        var links = duplicate ? [] : attachments.FindLinks(html, extracted.BodyElementIndex, pageUrl, source);
        var found = links.Count == 0 ? [] : await attachments.CollectAsync(links, source, articleId, cancellationToken);
        var document = ArticleDocumentFactory.Create(extracted, source, articleId, pageUrl, canonical, fetchedAt, found, contentHash: contentHash);
        if (!duplicate) document = document with { ClusterId = await ClusterOfAsync(document, row?.RowKey == articleId ? row : null, cancellationToken) };
        var saved = await articles.SaveAsync(document, new StoreContext(rawBlob, fetch.ETag, fetch.LastModified?.ToString("R"), message.RunId,
            IsReprocess: message.Mode == FetchMode.Refetch)
        {
            // Read moments ago: the store does not read them again.
            DuplicateChecked = true, DuplicateOf = duplicateOf, CurrentRow = row,
        }, cancellationToken);
        if (message.Mode == FetchMode.Recrawl && saved.Change == SaveChange.Unchanged)
            await articles.MarkCheckedAsync(source.Id, articleId, document.PublishedAtValue(), fetchedAt, cancellationToken);
        var status = saved.Change == SaveChange.Duplicate ? UrlStatus.Duplicate : UrlStatus.Stored;
        await urls.RecordAsync(source.Id, url, status, saved.DuplicateOf is null ? null : "same text as " + saved.DuplicateOf, articleId, message.RunId, cancellationToken, known);
        if (articleId != urlKey) await articles.RemoveFailedPlaceholderAsync(source.Id, urlKey, cancellationToken);

        logger.LogInformation("Article {articleId} {change} (v{version})", articleId, saved.Change, saved.Version);
        return new ArticleOutcome(ToResult(saved.Change), url.AbsoluteUri, articleId, saved.DuplicateOf is null ? null : "duplicate of " + saved.DuplicateOf) { Quality = quality };
    }

    /// <summary>
    /// Re-extracts a stored article from its archived raw bytes with the current extractor: no network.
    /// Stores a new version (and an event) only when the text changed.
    /// </summary>
    public async Task<ArticleOutcome> ReextractFromArchiveAsync(ArticleEntity row, SourceDefinition source, string runId, CancellationToken cancellationToken)
    {
        var url = row.Url ?? row.CanonicalUrl ?? "";
        if (row.RawBlob is null)
            return new ArticleOutcome(ArticleResult.Failed, url, row.RowKey, "no raw archive for this article (refetch it instead)");
        var raw = await rawArchive.ReadAsync(row.RawBlob, cancellationToken);
        ExtractedArticle extracted;
        string html;
        try
        {
            html = CharsetDecoder.Decode(raw.Body, raw.ContentType).Text;
            extracted = extractor.Extract(html, raw.Url, await contexts.ForSourceAsync(source, cancellationToken));
        }
        catch (ExtractionException e)
        {
            return new ArticleOutcome(ArticleResult.Failed, url, row.RowKey, "extraction failed: " + e.Message);
        }
        if (extracted.Blocks.Count == 0)
            return new ArticleOutcome(ArticleResult.Failed, url, row.RowKey, "no article text found in the archived page");
        var pageUrl = new Uri(row.Url ?? raw.Url.AbsoluteUri);
        // Attachments from the archive too: stored bytes read again by the current readers, no network.
        var previous = await articles.GetDocumentAsync(row, cancellationToken);
        var links = attachments.FindLinks(html, extracted.BodyElementIndex, raw.Url, source);
        var reread = await attachments.RereadAsync(links, previous?.Attachments ?? [], cancellationToken);
        var document = ArticleDocumentFactory.Create(extracted, source, row.RowKey, pageUrl, new Uri(row.CanonicalUrl ?? pageUrl.AbsoluteUri), raw.FetchedAt, reread);
        document = document with { ClusterId = await ClusterOfAsync(document, row, cancellationToken) };
        var saved = await articles.SaveAsync(document, new StoreContext(row.RawBlob, null, null, runId, IsReprocess: true), cancellationToken);
        return new ArticleOutcome(ToResult(saved.Change), url, row.RowKey);
    }

    /// <summary>
    /// The article's syndication cluster: the row's when it has one (a clusterId never changes), else the band index's
    /// answer (point reads, no scan).
    /// </summary>
    private async Task<string> ClusterOfAsync(ArticleDocument document, ArticleEntity? row, CancellationToken cancellationToken)
    {
        if (row?.ClusterId is { } known) return known;
        var firstSeen = document.PublishedAtValue() ?? document.FetchedAtValue();
        var assignment = await syndication.AssignAsync(document.SourceId, document.ArticleId, firstSeen, Clustering.MinHashSignature.Compute(document.Text), cancellationToken);
        return assignment.ClusterId;
    }

    /// <summary>Records a URL as failed on its Urls row and article row; used for page failures and by callers giving up after retries.</summary>
    public async Task<ArticleOutcome> RecordFailureAsync(ArticleMessage message, SourceDefinition? source, Uri url, string articleId, string reason, CancellationToken cancellationToken,
        FailureCause cause = FailureCause.Other, UrlEntity? known = null, bool permanent = false)
    {
        var sourceId = source?.Id ?? message.SourceId;
        await urls.RecordAsync(sourceId, url, UrlStatus.Failed, reason, null, message.RunId, cancellationToken, known, permanent, cause);
        await articles.RecordFailureAsync(sourceId, articleId, url.AbsoluteUri, reason, message.RunId, cancellationToken);
        // The one log line of a failed article, with its cause, source and run; no stack trace (the reason says what happened).
        logger.LogWarning("Article {url} (source {sourceId}, run {runId}) failed [{cause}]: {reason}", url.AbsoluteUri, sourceId, message.RunId, FailureCauses.Name(cause), reason);
        return new ArticleOutcome(ArticleResult.Failed, url.AbsoluteUri, articleId, reason) { Cause = cause };
    }

    /// <summary>The cause of an exception that escaped processing: storage when Azure storage failed, else other.</summary>
    public static FailureCause CauseOf(Exception e) => e switch
    {
        Azure.RequestFailedException or AggregateException { InnerException: Azure.RequestFailedException } or StorageUnavailableException => FailureCause.Storage,
        OperationCanceledException => FailureCause.Cancelled,
        _ => FailureCause.Other,
    };

    internal static ArticleResult ToResult(SaveChange change) => change switch
    {
        SaveChange.Created => ArticleResult.Stored,
        SaveChange.Updated => ArticleResult.Updated,
        SaveChange.Reprocessed => ArticleResult.Reprocessed,
        SaveChange.Duplicate => ArticleResult.Duplicate,
        _ => ArticleResult.Unchanged,
    };

    /// <summary>The page's own canonical link wins, but only when it names one of the source's hosts (a page cannot claim another site's id).</summary>
    internal static Uri ChooseCanonical(string? pageCanonical, Uri pageUrl, Uri discoveredUrl, SourceDefinition source)
    {
        if (!string.IsNullOrWhiteSpace(pageCanonical) && Uri.TryCreate(pageUrl, pageCanonical.Trim(), out var declared)
            && declared.Scheme is "http" or "https"
            && (source.AllHosts().Contains(declared.Host.ToLowerInvariant()) || declared.Host.Equals(pageUrl.Host, StringComparison.OrdinalIgnoreCase)))
            return UrlCanonicalizer.Canonicalize(declared);
        return discoveredUrl;
    }

    internal static string ContentHash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
